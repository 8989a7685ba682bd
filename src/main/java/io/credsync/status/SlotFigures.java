package io.credsync.status;

import java.util.Objects;

/**
 * One replication slot as {@code pg_replication_slots} shows it, WAL measured from the server's
 * current position.
 *
 * <p>Immutable and thread-safe. Nullable: {@code activePid} (null unless a process streams from
 * the slot), {@code walStatus} (null without a slot, or before PostgreSQL 13),
 * {@code retainedWalBytes} and {@code replicationLagBytes} (null without a slot, or while it has
 * no such LSN yet).
 *
 * @param slotName the slot asked about
 * @param exists whether the slot exists
 * @param active whether some process streams from it now
 * @param activePid the process streaming from it
 * @param walStatus {@code wal_status}: reserved, extended, unreserved or lost
 * @param retainedWalBytes WAL the slot keeps on disk: {@code pg_current_wal_lsn() - restart_lsn}
 * @param replicationLagBytes WAL not yet confirmed: {@code pg_current_wal_lsn() - confirmed_flush_lsn}
 */
public record SlotFigures(String slotName, boolean exists, boolean active, Integer activePid, String walStatus,
        Long retainedWalBytes, Long replicationLagBytes) {

    public SlotFigures {
        Objects.requireNonNull(slotName, "slotName");
    }
}
