package io.credsync.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * What {@code status} tells about the replication slot beyond the figures the gauges read: who
 * holds it (from {@code pg_stat_activity} and {@code pg_stat_replication}), its plugin and
 * database, its LSNs, and how much more WAL it may keep before the server invalidates it.
 *
 * <p>Immutable and thread-safe. Nullable: {@code database} (a physical slot has none),
 * {@code restartLsn}, {@code confirmedFlushLsn}, {@code safeWalSize} (null unless
 * {@code max_slot_wal_keep_size} limits the slot), and every holder field, which is null when no
 * process holds the slot, and may be null when it is held but the command's role may not see the
 * holder's details (PostgreSQL shows them only to superusers, members of
 * {@code pg_read_all_stats} and the holder's own role).
 *
 * @param plugin the output plugin, {@code pgoutput} for credsync's
 * @param database the database the slot belongs to
 * @param restartLsn the oldest WAL the slot may still need
 * @param confirmedFlushLsn what the consumer has confirmed
 * @param safeWalSize bytes of WAL that may still be written before the slot is in danger of losing
 *     what it needs ({@code pg_replication_slots.safe_wal_size})
 * @param holderPid {@code active_pid}
 * @param clientAddress the holder's client address
 * @param clientHostname the holder's client host name, when {@code log_hostname} is on
 * @param applicationName the holder's {@code application_name}
 * @param backendStart when the holder connected
 * @param replicationState the walsender's state, such as {@code streaming} or {@code catchup}
 */
record StatusSlot(
        String plugin,
        String database,
        String restartLsn,
        String confirmedFlushLsn,
        Long safeWalSize,
        Integer holderPid,
        String clientAddress,
        String clientHostname,
        String applicationName,
        Instant backendStart,
        String replicationState) {

    /** The slot named {@code slotName}, or null when it does not exist. */
    static StatusSlot read(Connection connection, String slotName) throws SQLException {
        boolean hasSafeWalSize = connection.getMetaData().getDatabaseMajorVersion() >= 13;
        String sql = "SELECT s.plugin, s.database, s.restart_lsn::text, s.confirmed_flush_lsn::text, "
                + (hasSafeWalSize ? "s.safe_wal_size" : "NULL::bigint") + ", s.active_pid,"
                + " host(a.client_addr), a.client_hostname, a.application_name, a.backend_start, r.state"
                + " FROM pg_catalog.pg_replication_slots s"
                + " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = s.active_pid"
                + " LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid"
                + " WHERE s.slot_name = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                Timestamp started = row.getTimestamp(10);
                return new StatusSlot(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getObject(5, Long.class), row.getObject(6, Integer.class), row.getString(7),
                        row.getString(8), row.getString(9), started == null ? null : started.toInstant(),
                        row.getString(11));
            }
        }
    }

    /** Who holds the slot, for a person: {@code pid 123, credsync from 10.0.0.5}. */
    String holder() {
        if (holderPid == null) {
            return "nobody";
        }
        StringBuilder text = new StringBuilder("pid ").append(holderPid);
        if (applicationName != null && !applicationName.isEmpty()) {
            text.append(", ").append(OutputText.safe(applicationName));
        }
        if (backendStart == null) {
            // PostgreSQL hides another role's session details from roles without pg_read_all_stats.
            text.append(" (details hidden: the role needs pg_read_all_stats to see them)");
        } else if (clientAddress == null && clientHostname == null) {
            text.append(" on a local socket");
        } else {
            text.append(" from ").append(OutputText.safe(clientHostname != null ? clientHostname : clientAddress));
            if (clientHostname != null && clientAddress != null) {
                text.append(" (").append(clientAddress).append(')');
            }
        }
        return text.toString();
    }
}
