package io.credsync.replication;

/**
 * A pgoutput message that cannot be decoded: truncated, with bytes left over, with an unknown
 * message type or tuple kind, invalid UTF-8, or arriving where the protocol does not allow it.
 *
 * <p>The message says which message type and byte offset were at fault; it never quotes
 * column values, which may be envelopes. Unchecked, because a message PostgreSQL sent that
 * this decoder cannot read is a protocol mismatch or a bug, not something a caller retries
 * around.
 */
public final class PgOutputDecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and where; never {@code null} */
    public PgOutputDecodeException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and where; never {@code null}
     * @param cause the underlying failure, such as a malformed-UTF-8 error
     */
    public PgOutputDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
