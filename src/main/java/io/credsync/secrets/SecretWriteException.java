package io.credsync.secrets;

import java.util.Objects;

/**
 * A secret write that did not happen. Classified by the AWS error code and HTTP status,
 * never by message text. The message names the secret and the code, never the value.
 *
 * <p>Checked on purpose: a refused write is an expected outcome (a secret scheduled for deletion,
 * a foreign value, throttling), and every caller must decide between "retry later" and "record as
 * failed" rather than let it escape and stop the pipeline.
 *
 * <p>Immutable and therefore thread-safe. {@link #errorCode()} and {@link #getMessage()} are never
 * null; the cause, when there is one, is the AWS SDK exception (whose message carries AWS's text
 * and request id, never the secret value).
 */
public final class SecretWriteException extends Exception {

    /** credsync's code: the secret's current value is not a JSON object, so it is left alone. */
    public static final String SECRET_NOT_JSON_OBJECT = "SecretNotJsonObject";

    /** credsync's code: no valid secret name can be made for the role; an override is needed. */
    public static final String INVALID_SECRET_NAME = "InvalidSecretName";

    /**
     * credsync's code: Secrets Manager answered success without what such an answer always holds
     * (a value that is neither a string nor binary): a broken answer, not a verdict, so retried.
     */
    public static final String INCOMPLETE_ANSWER = "IncompleteAnswer";

    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;
    private final String errorCode;

    /**
     * @param message what failed, naming the secret and the code; never the value; not null
     * @param errorCode the AWS error code, one of credsync's codes above, or a
     *     {@link SecretConflict.Kind#code() conflict's}; not null
     * @param transientFailure whether trying again later may succeed
     * @param cause the SDK exception, or null
     */
    public SecretWriteException(String message, String errorCode, boolean transientFailure, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
        this.transientFailure = transientFailure;
    }

    /** True when trying again later may succeed (throttling, 5xx, time-outs, lost connections). */
    public boolean isTransient() {
        return transientFailure;
    }

    /** The AWS error code, e.g. {@code AccessDeniedException}, or a credsync code; never null. */
    public String errorCode() {
        return errorCode;
    }
}
