package io.credsync.replication;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides which WAL position the replication slot may be told is done: the highest position
 * such that every batch at or before it has been delivered.
 *
 * <p>The replication thread calls {@link #handedOver} for each batch before giving it to the
 * delivery side, and asks {@link #confirmable} what to report as flushed; the delivery thread
 * calls {@link #delivered} once every event of a batch has a durable delivery row. Batches may
 * be delivered in any order; the confirmable position only passes a batch once it and all
 * batches before it are delivered, and it never moves backwards.
 *
 * <p>With nothing in flight, the position is the last one received from the server, which
 * includes the server's WAL position from keepalives: an idle outbox on a busy database then
 * does not make the slot hold WAL. This is safe because the server sends every transaction
 * that commits before a position before it sends that position, and the replication thread
 * registers each batch before it asks again.
 *
 * <p>Batches are identified by {@link OutboxBatch#endLsn()}. After a reconnect ({@link #reset})
 * the server sends again every transaction after the slot's confirmed position, as new batches
 * with the same {@code endLsn}; a late {@link #delivered} for the old copy then counts for the
 * new one, which is right because they hold the same events.
 *
 * <p>Thread-safe: every method is atomic (one lock, held briefly). Arguments must not be
 * {@code null}; no method returns {@code null}.
 */
public final class AckTracker {

    /** Batches handed over and not yet passed, by commit position: whether each is delivered. */
    private final TreeMap<Lsn, Boolean> inFlight = new TreeMap<>();
    /** The highest position known to be done; only ever moves forward. */
    private Lsn confirmable = Lsn.INVALID;

    /**
     * Registers a batch the replication thread is about to give to the delivery side.
     *
     * @throws IllegalStateException if a batch with the same {@code endLsn} is already in
     *     flight: the same transaction twice on one connection means {@link #reset} was missed
     */
    public synchronized void handedOver(OutboxBatch batch) {
        Lsn end = batch.endLsn();
        if (inFlight.containsKey(end)) {
            throw new IllegalStateException("a batch ending at " + end
                    + " is already in flight; reset() must be called for each new connection");
        }
        inFlight.put(end, Boolean.FALSE);
    }

    /**
     * Records that every event of {@code batch} has a durable delivery row.
     *
     * @return whether this completed a batch in flight; {@code false} if it was delivered
     *     already or is not in flight (it was handed over on a connection since {@link #reset}),
     *     which is harmless
     */
    public synchronized boolean delivered(OutboxBatch batch) {
        Boolean done = inFlight.get(batch.endLsn());
        if (done == null || done) {
            return false;
        }
        inFlight.put(batch.endLsn(), Boolean.TRUE);
        return true;
    }

    /**
     * The position to report as flushed: the highest LSN such that every batch at or before
     * it is delivered. When nothing is in flight that is {@code lastReceived}; never less than
     * an earlier result.
     *
     * @param lastReceived the stream's last received position (XLogData start or keepalive
     *     server position), {@link Lsn#INVALID} before anything was received
     */
    public synchronized Lsn confirmable(Lsn lastReceived) {
        Objects.requireNonNull(lastReceived, "lastReceived");
        Map.Entry<Lsn, Boolean> first;
        while ((first = inFlight.firstEntry()) != null && first.getValue()) {
            inFlight.pollFirstEntry();
            confirmable = Lsn.max(confirmable, first.getKey());
        }
        if (inFlight.isEmpty()) {
            confirmable = Lsn.max(confirmable, lastReceived);
        }
        return confirmable;
    }

    /**
     * Forgets every batch in flight, for a new replication connection: the server will send
     * again every transaction after the slot's confirmed position, and the delivery side dedupes
     * the events it already delivered. Keeps the confirmable position, which only ever covers
     * delivered batches, and raises it to {@code slotConfirmed}, the slot's
     * {@code confirmed_flush_lsn} read before streaming: a lower report would move the slot
     * backwards on PostgreSQL 15.
     */
    public synchronized void reset(Lsn slotConfirmed) {
        Objects.requireNonNull(slotConfirmed, "slotConfirmed");
        inFlight.clear();
        confirmable = Lsn.max(confirmable, slotConfirmed);
    }

    /**
     * How many batches were handed over and not yet passed by {@link #confirmable}; right after
     * {@code confirmable}, non-zero exactly when some batch is still undelivered.
     */
    public synchronized int inFlight() {
        return inFlight.size();
    }

    /** The last result of {@link #confirmable} (or {@link #reset}); {@link Lsn#INVALID} at first. */
    public synchronized Lsn lastConfirmable() {
        return confirmable;
    }

    @Override
    public synchronized String toString() {
        return "AckTracker[confirmable=" + confirmable + ", inFlight=" + inFlight.size() + "]";
    }
}
