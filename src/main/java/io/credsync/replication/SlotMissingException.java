package io.credsync.replication;

/**
 * The slot of a stream that does not create its slot again ({@link ReplicationSource.MissingSlot#END_STREAM})
 * is gone: dropped by hand (often on the way to {@code DROP DATABASE}), or lost in a failover. The
 * stream has ended; its owner decides what follows.
 */
public final class SlotMissingException extends ReplicationException {

    private static final long serialVersionUID = 1L;

    /** @param slot the slot that is gone */
    public SlotMissingException(String slot) {
        super("replication slot " + slot + " does not exist any more");
    }
}
