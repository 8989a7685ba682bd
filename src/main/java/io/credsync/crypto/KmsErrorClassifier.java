package io.credsync.crypto;

import io.credsync.aws.AwsErrorCodes;
import io.credsync.crypto.EnvelopeException.Reason;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.kms.model.DependencyTimeoutException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidGrantTokenException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyUnavailableException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Decides whether a failed {@code kms:Decrypt} dooms the envelope or only this attempt, from the
 * AWS error code (or, failing that, the SDK exception's type and HTTP status), never from message
 * text. Pure and stateless: thread-safe.
 *
 * <p>Permanent: the answer is about this envelope's key or wrapped key, and asking again gives
 * the same one. Transient: throttling, KMS-side failures, no response at all, and errors about the
 * consumer's own credentials or clock, which say nothing about the event; retrying those makes
 * events wait (visible as lag) for an operator's fix instead of all being recorded as failed.
 * An unknown 4xx code is permanent (KMS_REJECTED, with the code kept): the request was refused.
 */
final class KmsErrorClassifier {
    private static final Map<String, Reason> PERMANENT = Map.of(
            "NotFoundException", Reason.UNKNOWN_KEY,
            "DisabledException", Reason.KEY_UNUSABLE,
            "KMSInvalidStateException", Reason.KEY_UNUSABLE,
            "InvalidKeyUsageException", Reason.KEY_UNUSABLE,
            "InvalidCiphertextException", Reason.BAD_CONTENT_KEY,
            "IncorrectKeyException", Reason.BAD_CONTENT_KEY,
            "AccessDeniedException", Reason.ACCESS_DENIED);

    private static final Set<String> TRANSIENT = AwsErrorCodes.union(AwsErrorCodes.THROTTLING,
            AwsErrorCodes.SERVICE_FAILING, AwsErrorCodes.CALLER_CREDENTIALS, AwsErrorCodes.KMS_FAILING);

    // Modelled exceptions built without error details (a stub, an older SDK) still have a type.
    private static final Map<Class<? extends SdkException>, String> CODE_BY_TYPE = Map.of(
            NotFoundException.class, "NotFoundException",
            DisabledException.class, "DisabledException",
            KmsInvalidStateException.class, "KMSInvalidStateException",
            InvalidKeyUsageException.class, "InvalidKeyUsageException",
            InvalidCiphertextException.class, "InvalidCiphertextException",
            IncorrectKeyException.class, "IncorrectKeyException",
            InvalidGrantTokenException.class, "InvalidGrantTokenException",
            KeyUnavailableException.class, "KeyUnavailableException",
            KmsInternalException.class, "KMSInternalException",
            DependencyTimeoutException.class, "DependencyTimeoutException");

    private KmsErrorClassifier() {
    }

    /**
     * @return the reason the envelope can never be unwrapped, or empty when the failure is
     *     transient and the caller should retry
     */
    static Optional<Reason> permanentReason(SdkException e) {
        if (e instanceof SdkClientException || !(e instanceof SdkServiceException)) {
            return Optional.empty(); // no answer from KMS: I/O, timeout, interrupted, credentials not loaded
        }
        String code = errorCode(e);
        Reason reason = PERMANENT.get(code);
        if (reason != null) {
            return Optional.of(reason);
        }
        SdkServiceException service = (SdkServiceException) e;
        int status = service.statusCode();
        if (TRANSIENT.contains(code) || service.isThrottlingException() || status == 429 || status >= 500) {
            return Optional.empty();
        }
        return Optional.of(Reason.KMS_REJECTED);
    }

    /**
     * @return the AWS error code; else the code of the modelled exception type; else
     *     {@code HTTP_<status>} for a service error; else the exception's simple class name
     */
    static String errorCode(SdkException e) {
        return AwsErrorCodes.of(e, CODE_BY_TYPE);
    }
}
