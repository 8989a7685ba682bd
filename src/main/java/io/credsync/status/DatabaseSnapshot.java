package io.credsync.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One database's figures for the metrics and {@code credsync status}: its replication slot's
 * state and its outbox's backlog.
 *
 * <p>Immutable and thread-safe. Nullable components: {@code activePid} (null unless a process
 * streams from the slot), {@code walStatus} (null without a slot, or before PostgreSQL 13),
 * {@code retainedWalBytes} and {@code replicationLagBytes} (null without a slot, or while the
 * slot has no such LSN yet) and {@code oldestPendingAge} (null when nothing is pending). The
 * others are never null.
 *
 * @param slotName the slot asked about
 * @param slotExists whether the slot exists
 * @param slotActive whether some process streams from the slot now
 * @param activePid the process streaming from the slot
 * @param walStatus {@code pg_replication_slots.wal_status}: reserved, extended, unreserved or lost
 * @param retainedWalBytes WAL the slot keeps on disk: {@code pg_current_wal_lsn() - restart_lsn}
 * @param replicationLagBytes WAL not yet confirmed: {@code pg_current_wal_lsn() - confirmed_flush_lsn}
 * @param pendingEvents outbox rows without a delivery row
 * @param oldestPendingAge how long ago the oldest pending row was created
 * @param failedEvents failed or rejected events that still need action
 *     ({@code credsync.failed_event} without {@code resolved_by})
 * @param polledAt when the figures were known to hold, by the consumer's clock
 */
public record DatabaseSnapshot(
        String slotName,
        boolean slotExists,
        boolean slotActive,
        Integer activePid,
        String walStatus,
        Long retainedWalBytes,
        Long replicationLagBytes,
        long pendingEvents,
        Duration oldestPendingAge,
        long failedEvents,
        Instant polledAt) {

    public DatabaseSnapshot {
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(polledAt, "polledAt");
    }

    /** The slot's figures and the backlog's, as they stand at {@code at}. */
    public static DatabaseSnapshot of(SlotFigures slot, BacklogFigures backlog, Instant at) {
        return new DatabaseSnapshot(slot.slotName(), slot.exists(), slot.active(), slot.activePid(), slot.walStatus(),
                slot.retainedWalBytes(), slot.replicationLagBytes(), backlog.pendingEvents(),
                backlog.oldestPendingAgeAt(at), backlog.failedEvents(), at);
    }
}
