package io.credsync.secrets;

import io.credsync.aws.AwsErrorCodes;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.EncryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.LimitExceededException;
import software.amazon.awssdk.services.secretsmanager.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.secretsmanager.model.PreconditionNotMetException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * Decides whether a failed Secrets Manager call may succeed if tried again later, from the AWS
 * error code, the HTTP status and the SDK exception's type, never from message text. Pure and
 * stateless: thread-safe.
 *
 * <p>Permanent: only the codes with which Secrets Manager (or AWS's common errors) judges the
 * request or the secret: {@code AccessDeniedException} (IAM policies can name single secrets),
 * {@code InvalidRequestException} (a secret scheduled for deletion), {@code InvalidParameterException},
 * {@code DecryptionFailure}, {@code EncryptionFailure} and the others in {@link #PERMANENT}. A 5xx
 * carrying one of them still fails for good.
 *
 * <p>{@code LimitExceededException} is not among them: it says that the request would pass a Secrets
 * Manager quota, and the one a credsync write reaches is the number of versions of one secret
 * (written more often than about every 10 minutes for a day), which clears by itself as Secrets
 * Manager removes versions older than 24 hours; the account's number of secrets clears when
 * secrets are deleted or the quota raised. Either way the same write then succeeds, whereas a
 * failed event would leave the secret with a password the role no longer has until someone replays it.
 *
 * <p>Transient: everything else. No answer at all ({@link SdkClientException}: I/O, a connection
 * reset or an answer cut short, time-outs, and whatever the SDK's own retries ended on),
 * throttling, 5xx, errors about the consumer's own credentials or clock (expired session token,
 * unknown access key, clock skew, signature), which say nothing about the secret, and any code
 * credsync does not know or an answer without one (an error page of a proxy, a load balancer, or
 * an emulator starting or stopping: {@code HTTP_<status>}). Why an unknown code is retried: at
 * least once means a change is never lost to a blip; a code that is not a verdict on the request
 * costs lag, which the logs (the code, at every retry), the metrics and readiness show, whereas
 * recording it as failed would leave the secret with a password the role no longer has.
 */
final class SecretsManagerErrors {

    /**
     * @param code the AWS error code, else a fallback (see {@link #errorCode}); never null
     * @param isTransient whether a later retry may succeed
     */
    record Classification(String code, boolean isTransient) {
    }

    // Named so that a 5xx carrying one of them (unlikely, but the status alone would say retry)
    // still fails for good: these are answers about the request or the secret. AWS's common errors
    // included (InvalidAction, NotAuthorized, ValidationError).
    private static final Set<String> PERMANENT = Set.of(
            "AccessDeniedException", "InvalidRequestException", "InvalidParameterException",
            "DecryptionFailure", "EncryptionFailure", "MalformedPolicyDocumentException", "ResourceNotFoundException", "ResourceExistsException",
            "PreconditionNotMetException", "ValidationException", "ValidationError", "InvalidAction",
            "NotAuthorized");

    // Modelled exceptions built without error details (a stub, a test) still have a type.
    private static final Map<Class<? extends SdkException>, String> CODE_BY_TYPE = Map.of(
            ResourceNotFoundException.class, "ResourceNotFoundException",
            ResourceExistsException.class, "ResourceExistsException",
            InvalidRequestException.class, "InvalidRequestException",
            InvalidParameterException.class, "InvalidParameterException",
            DecryptionFailureException.class, "DecryptionFailure",
            EncryptionFailureException.class, "EncryptionFailure",
            InternalServiceErrorException.class, "InternalServiceError",
            LimitExceededException.class, "LimitExceededException",
            MalformedPolicyDocumentException.class, "MalformedPolicyDocumentException",
            PreconditionNotMetException.class, "PreconditionNotMetException");

    private SecretsManagerErrors() {
    }

    /** @return the failure's code and whether to retry it later */
    static Classification classify(SdkException e) {
        String code = errorCode(e);
        if (!(e instanceof SdkServiceException)) {
            // No answer from the service: SdkClientException (I/O, time-outs, retries exhausted) and the like.
            return new Classification(code, true);
        }
        // Only a known verdict on the request fails the event; anything else is retried (see above).
        return new Classification(code, !PERMANENT.contains(code));
    }

    /** @return whether {@code e} is the service's answer with error code {@code code} */
    static boolean hasCode(SdkException e, String code) {
        return e instanceof SdkServiceException && code.equals(errorCode(e));
    }

    /**
     * @return the AWS error code; else the code of the modelled exception type; else
     *     {@code HTTP_<status>} for a service error; else the exception's simple class name
     *     (e.g. {@code SdkClientException}, {@code ApiCallTimeoutException})
     */
    static String errorCode(SdkException e) {
        return AwsErrorCodes.of(e, CODE_BY_TYPE);
    }
}
