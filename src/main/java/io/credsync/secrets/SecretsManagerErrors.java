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
 * <p>Transient: no answer at all ({@link SdkClientException}: I/O, connection refused, time-outs,
 * and whatever the SDK's own retries ended on), throttling, HTTP 429 and 5xx,
 * {@code InternalServiceError}, and errors about the consumer's own credentials or clock
 * (expired session token, unknown access key, clock skew, signature): those say nothing about the
 * secret, and recording every event as failed would lose password changes that a retry after the
 * credentials are refreshed or fixed delivers; meanwhile the lag shows. Permanent: every other answer, in particular {@code AccessDeniedException}
 * (IAM policies can name single secrets), {@code InvalidRequestException} (a secret scheduled for
 * deletion), {@code InvalidParameterException}, {@code DecryptionFailure},
 * {@code EncryptionFailure}, {@code LimitExceededException} and any unknown 4xx.
 */
final class SecretsManagerErrors {

    /**
     * @param code the AWS error code, else a fallback (see {@link #errorCode}); never null
     * @param isTransient whether a later retry may succeed
     */
    record Classification(String code, boolean isTransient) {
    }

    private static final Set<String> TRANSIENT = AwsErrorCodes.union(AwsErrorCodes.THROTTLING,
            // The same credentials codes as KmsErrorClassifier, so that both halves wait alike.
            AwsErrorCodes.SERVICE_FAILING, AwsErrorCodes.CALLER_CREDENTIALS, AwsErrorCodes.SECRETS_MANAGER_FAILING);

    // Named so that a 5xx carrying one of them (unlikely, but the status alone would say retry)
    // still fails for good: these are answers about the request or the secret.
    private static final Set<String> PERMANENT = Set.of(
            "AccessDeniedException", "InvalidRequestException", "InvalidParameterException",
            "DecryptionFailure", "EncryptionFailure", "LimitExceededException",
            "MalformedPolicyDocumentException", "ResourceNotFoundException", "ResourceExistsException",
            "PreconditionNotMetException", "ValidationException");

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
        SdkServiceException service = (SdkServiceException) e;
        if (TRANSIENT.contains(code)) {
            return new Classification(code, true);
        }
        if (PERMANENT.contains(code)) {
            return new Classification(code, false);
        }
        int status = service.statusCode();
        boolean retry = service.isThrottlingException() || status == 429 || status >= 500;
        return new Classification(code, retry);
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
