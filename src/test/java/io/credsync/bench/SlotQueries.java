package io.credsync.bench;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** What the benchmarks ask {@code pg_replication_slots} about one slot. */
final class SlotQueries {

    private final Connection connection;
    private final String slot;

    /** @param connection a superuser connection the caller owns and closes */
    SlotQueries(Connection connection, String slot) {
        this.connection = connection;
        this.slot = slot;
    }

    /** WAL the slot holds back: {@code pg_current_wal_lsn() - confirmed_flush_lsn}, in bytes. */
    long retainedBytes() throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                        + " FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("the replication slot " + slot + " does not exist");
                }
                long retained = rows.getLong(1);
                if (rows.wasNull()) {
                    throw new IllegalStateException("the replication slot " + slot + " has no confirmed_flush_lsn");
                }
                return retained;
            }
        }
    }

    /**
     * Waits until no process streams from the slot. A consumer started while the old one's
     * walsender still holds the slot waits as a standby, which would time the takeover, not the
     * start-up.
     */
    void awaitInactive(Duration timeout) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            statement.setString(1, slot);
            await("replication slot " + slot + " being released").atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        try (ResultSet rows = statement.executeQuery()) {
                            rows.next();
                            return rows.getLong(1) == 0;
                        }
                    });
        }
    }
}
