package io.credsync.replication;

import io.credsync.outbox.OutboxEvent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outbox events of one committed transaction, in the order the transaction inserted them,
 * as the replication stream delivered them.
 *
 * <p>A batch is the unit of acknowledgement: {@link #endLsn()} may be confirmed to the slot
 * once every event of this batch, and of every batch before it, has a durable delivery row
 * (see {@link AckTracker}). A transaction sent again after a reconnect arrives as a new batch
 * with the same events and the same {@code endLsn}.
 *
 * <p>Immutable and thread-safe. No component is {@code null}; {@link #toString()} shows no
 * envelope.
 *
 * @param events the transaction's outbox rows, at least one, in insertion order; unmodifiable
 * @param endLsn the end of the transaction's commit record (pgoutput's Commit {@code end_lsn}):
 *     the position to confirm once the batch is done
 * @param commitTime when the transaction committed
 */
public record OutboxBatch(List<OutboxEvent> events, Lsn endLsn, Instant commitTime) {

    public OutboxBatch {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one event");
        }
        Objects.requireNonNull(endLsn, "endLsn");
        if (!endLsn.isValid()) {
            throw new IllegalArgumentException("a batch needs a valid commit position");
        }
        Objects.requireNonNull(commitTime, "commitTime");
    }

    /** The number of events. */
    public int size() {
        return events.size();
    }
}
