package io.credsync.replication;

/**
 * Where {@link ReplicationSource} hands each committed batch of outbox events: the delivery
 * side, typically a bounded queue read by the delivery thread.
 *
 * <p>Called only from the replication thread, one batch at a time, in commit order. The
 * source registers the batch with its {@link AckTracker} before calling {@link #accept}; the
 * delivery side calls {@link AckTracker#delivered} once every event of it has a durable
 * delivery row. A batch the sink drops is simply never confirmed, and the server sends it
 * again after the next reconnect.
 */
@FunctionalInterface
public interface OutboxBatchSink {

    /**
     * Takes {@code batch}, blocking while the delivery side is full.
     *
     * <p>While this blocks the replication thread sends no status updates. Blocking longer than
     * the server's {@code wal_sender_timeout} (60 s by default) makes the server drop the
     * connection; the source then reconnects and the unconfirmed transactions arrive again,
     * which is safe but wasteful.
     *
     * @param batch never {@code null}
     * @throws InterruptedException if the thread is interrupted while waiting, which is how
     *     {@link ReplicationSource#stop()} ends a blocked hand-over; the source then stops.
     *     A {@code RuntimeException} ends {@link ReplicationSource#run()} with it.
     */
    void accept(OutboxBatch batch) throws InterruptedException;

    /**
     * Called on the replication thread after {@link ReplicationSource#run()} found the slot
     * missing and created it again, before it streams from the new slot. Outbox rows committed
     * while there was no slot are not in the new slot's stream: deliver every outbox row that
     * has no delivery row yet (the start-up scan), or they wait for the next start. The default
     * does nothing.
     *
     * @throws InterruptedException as for {@link #accept}
     */
    default void slotRecreated() throws InterruptedException {
    }
}
