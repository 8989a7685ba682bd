package io.credsync.replication;

/**
 * Replication cannot go on until an operator acts: the publication is missing, the database
 * refused the credentials, the slot belongs to another plugin or database or was invalidated (or,
 * for a stream that does not create it again, is gone: {@link SlotMissingException}),
 * and the like. The message says what to do; it never contains an envelope.
 */
public sealed class ReplicationException extends Exception permits SlotMissingException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to do; never {@code null} */
    public ReplicationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and what to do; never {@code null}
     * @param cause the failure that revealed it
     */
    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
