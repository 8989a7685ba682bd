package io.credsync.crypto;

import io.credsync.aws.AwsErrorCodes;
import io.credsync.crypto.EnvelopeException.Reason;
import java.util.Map;
import java.util.Optional;
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
 * AWS error code (or, failing that, the SDK exception's type), never from message text. Pure and
 * stateless: thread-safe.
 *
 * <p>Permanent: only the codes with which KMS judges this envelope's key or wrapped key, or the
 * request ({@link #PERMANENT}); asking again gives the same answer. Transient: everything else.
 * Throttling, KMS-side failures, no response at all (a connection reset, an answer cut short),
 * errors about the consumer's own credentials or clock, which say nothing about the event, and
 * any code credsync does not know or an answer without one (an error page of a proxy or of an
 * emulator starting or stopping: {@code HTTP_<status>}). Retrying those makes events wait
 * (visible as lag, and the code is logged at every retry) instead of recording a change as failed
 * that a later attempt would deliver: at least once.
 */
final class KmsErrorClassifier {
    // The request itself refused for good (a malformed request, a grant token that is not one, an
    // operation the key cannot do, AWS's common errors for a refused request) is KMS_REJECTED.
    private static final Map<String, Reason> PERMANENT = Map.ofEntries(
            Map.entry("NotFoundException", Reason.UNKNOWN_KEY),
            Map.entry("InvalidArnException", Reason.UNKNOWN_KEY),
            Map.entry("DisabledException", Reason.KEY_UNUSABLE),
            Map.entry("KMSInvalidStateException", Reason.KEY_UNUSABLE),
            Map.entry("InvalidKeyUsageException", Reason.KEY_UNUSABLE),
            Map.entry("UnsupportedOperationException", Reason.KEY_UNUSABLE),
            Map.entry("InvalidCiphertextException", Reason.BAD_CONTENT_KEY),
            Map.entry("IncorrectKeyException", Reason.BAD_CONTENT_KEY),
            Map.entry("AccessDeniedException", Reason.ACCESS_DENIED),
            Map.entry("NotAuthorized", Reason.ACCESS_DENIED),
            Map.entry("InvalidGrantTokenException", Reason.KMS_REJECTED),
            Map.entry("ValidationException", Reason.KMS_REJECTED),
            Map.entry("ValidationError", Reason.KMS_REJECTED),
            Map.entry("InvalidAction", Reason.KMS_REJECTED));

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
        // Only a known verdict fails the envelope; anything else is retried (see above).
        return Optional.ofNullable(PERMANENT.get(errorCode(e)));
    }

    /**
     * @return the AWS error code; else the code of the modelled exception type; else
     *     {@code HTTP_<status>} for a service error; else the exception's simple class name
     */
    static String errorCode(SdkException e) {
        return AwsErrorCodes.of(e, CODE_BY_TYPE);
    }
}
