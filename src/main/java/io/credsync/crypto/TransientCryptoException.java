package io.credsync.crypto;

import java.util.Objects;

/**
 * KMS could not give an answer this time (throttling, a 5xx, an I/O error or timeout, expired
 * credentials): the envelope itself may be fine, so the caller retries the same event later, with
 * backoff, and does not record it as failed.
 *
 * <p>Checked, and a type distinct from {@link EnvelopeException}, so that "retry" and "record as
 * failed" cannot be confused by a caller. The message and the attached SDK cause contain no key
 * material, ciphertext or plaintext.
 *
 * <p>Immutable and therefore thread-safe. {@link #errorCode()} is never null.
 */
public final class TransientCryptoException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String errorCode;

    /**
     * @param errorCode the AWS error code, {@code HTTP_<status>}, or the SDK exception's simple
     *     class name when no response arrived
     * @param message what failed, free of secrets
     * @param cause the SDK exception, or null
     */
    public TransientCryptoException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    /** @return a short code for metrics and logs, such as {@code ThrottlingException}; never null */
    public String errorCode() {
        return errorCode;
    }
}
