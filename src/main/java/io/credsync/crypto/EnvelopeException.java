package io.credsync.crypto;

import java.util.Objects;
import java.util.Optional;

/**
 * An envelope that will never open, whatever is retried: the event is recorded as failed with
 * {@link #reason()} and the pipeline goes on with the next one.
 *
 * <p>Checked on purpose: a bad envelope is an expected outcome of reading the outbox (a tampered
 * row, a deleted key), not a bug, and the compiler should make every caller decide what to record
 * rather than let it escape and stop the pipeline.
 *
 * <p>The message never contains key material, ciphertext or plaintext. Only causes whose own
 * messages are known to be free of them (AWS SDK errors) are attached; parser errors, which quote
 * their input, are dropped.
 *
 * <p>Immutable and therefore thread-safe. {@link #reason()} is never null.
 */
public final class EnvelopeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why an envelope failed; the names are stable and meant to be stored and counted. */
    public enum Reason {
        /** Not a compact JWE of our profile: size, parts, base64url, header JSON, part lengths. */
        MALFORMED,
        /** An {@code alg} or {@code enc} other than ours, or a {@code zip} or {@code crit} header. */
        UNSUPPORTED_ALGORITHM,
        /** KMS does not know the {@code kid}. */
        UNKNOWN_KEY,
        /** The key exists but cannot decrypt: disabled, pending deletion, wrong key usage. */
        KEY_UNUSABLE,
        /** KMS denied {@code kms:Decrypt} on this key to the consumer's credentials. */
        ACCESS_DENIED,
        /** The encrypted key did not unwrap, or not to a 64-byte content key. */
        BAD_CONTENT_KEY,
        /** The request itself refused for good (a malformed request, say); the AWS error code is attached. */
        KMS_REJECTED,
        /** The authentication tag does not match: the header, IV or ciphertext was altered. */
        BAD_TAG,
        /** Authenticated, but not a valid payload: padding, UTF-8, JSON or a field. */
        BAD_PAYLOAD,
        /** The payload's {@code v} is a version this consumer does not know. */
        UNSUPPORTED_VERSION,
        /** The payload's {@code role} or {@code event_id} differs from its outbox row's. */
        PAYLOAD_MISMATCH
    }

    private final Reason reason;
    private final String awsErrorCode;

    /**
     * @param reason why the envelope failed
     * @param message what failed, free of key material, ciphertext and plaintext
     */
    public EnvelopeException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    /**
     * @param reason why the envelope failed
     * @param message what failed, free of key material, ciphertext and plaintext
     * @param awsErrorCode the AWS error code behind the failure, or null
     * @param cause a cause whose message is equally free of secrets, or null
     */
    public EnvelopeException(Reason reason, String message, String awsErrorCode, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason") + ": " + message, cause);
        this.reason = reason;
        this.awsErrorCode = awsErrorCode;
    }

    /** @return why the envelope failed; never null */
    public Reason reason() {
        return reason;
    }

    /** @return the AWS error code (for example {@code NotFoundException}) when KMS refused */
    public Optional<String> awsErrorCode() {
        return Optional.ofNullable(awsErrorCode);
    }
}
