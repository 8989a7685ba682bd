package io.credsync.replication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Catalog work for the replication slot and the publication, on an ordinary connection: what
 * exists, in what state, and creating the slot. Error messages say what the operator should do.
 *
 * <p>Stateless and thread-safe; each call uses only the connection it is given.
 */
final class SlotCatalog {

    /** What the server reports about a logical slot of ours. */
    record SlotState(Lsn confirmedFlush, Integer activePid, boolean lost) {
        /** Whether some process streams from the slot now. */
        boolean isActive() {
            return activePid != null;
        }
    }

    private SlotCatalog() {
    }

    /**
     * Checks that {@code publication} exists and publishes inserts into credsync.outbox.
     *
     * @throws ReplicationException if not, saying to install or upgrade the credsync extension
     */
    static void checkPublication(Connection connection, String publication)
            throws SQLException, ReplicationException {
        String sql = "SELECT p.pubinsert, pg_catalog.current_database(),"
                + " EXISTS (SELECT FROM pg_catalog.pg_publication_tables t WHERE t.pubname = p.pubname"
                + " AND t.schemaname = 'credsync' AND t.tablename = 'outbox')"
                + " FROM pg_catalog.pg_publication p WHERE p.pubname = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, publication);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new ReplicationException("the publication " + publication + " does not exist in database "
                            + connection.getCatalog() + ": install the credsync extension in this database"
                            + " (credsync install), or upgrade it (ALTER EXTENSION credsync UPDATE)");
                }
                if (!row.getBoolean(1) || !row.getBoolean(3)) {
                    throw new ReplicationException("the publication " + publication + " in database "
                            + row.getString(2) + " does not publish inserts into credsync.outbox: upgrade or"
                            + " reinstall the credsync extension, which sets it up");
                }
            }
        }
    }

    /**
     * The state of logical slot {@code slot}, if it exists.
     *
     * @throws ReplicationException if the name belongs to a slot credsync cannot use: physical,
     *     of another plugin or database (an invalidated slot is returned, marked lost)
     */
    static Optional<SlotState> find(Connection connection, String slot) throws SQLException, ReplicationException {
        String sql = "SELECT s.slot_type, s.plugin, s.database, pg_catalog.current_database(),"
                + " s.confirmed_flush_lsn::text, s.active_pid, s.wal_status"
                + " FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, slot);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String type = row.getString(1);
                String plugin = row.getString(2);
                String database = row.getString(3);
                String current = row.getString(4);
                String confirmed = row.getString(5);
                int pid = row.getInt(6);
                Integer activePid = row.wasNull() ? null : pid;
                String walStatus = row.getString(7);
                String drop = "drop it (SELECT pg_drop_replication_slot('" + slot
                        + "')) or configure another slot name";
                if (!"logical".equals(type)) {
                    throw new ReplicationException("the replication slot " + slot + " is a " + type
                            + " slot, not a logical one: " + drop);
                }
                if (!"pgoutput".equals(plugin)) {
                    throw new ReplicationException("the replication slot " + slot + " uses the plugin " + plugin
                            + ", credsync needs pgoutput: " + drop);
                }
                if (!current.equals(database)) {
                    throw new ReplicationException("the replication slot " + slot + " belongs to database "
                            + database + ", not " + current + ": " + drop);
                }
                Lsn confirmedFlush = confirmed == null ? Lsn.INVALID : Lsn.parse(confirmed);
                return Optional.of(new SlotState(confirmedFlush, activePid, "lost".equals(walStatus)));
            }
        }
    }

    /**
     * Drops slot {@code slot} if no process streams from it.
     *
     * @return whether it was dropped
     */
    static boolean dropIfInactive(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots"
                        + " WHERE slot_name = ? AND NOT active")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** The first release whose logical slots can be synchronized to a physical standby. */
    static final int FAILOVER_SLOTS_SINCE = 170000;

    /**
     * Creates logical slot {@code slot} with pgoutput. Waits, as PostgreSQL does, for
     * transactions running at that moment to end. On PostgreSQL 17 and later the slot is created
     * with {@code failover = true}, so that a standby with {@code sync_replication_slots} keeps a
     * copy and the slot survives a failover (RDS Multi-AZ clusters, Aurora, Patroni); before 17
     * there is no such option, and a failover loses the slot (the consumer then recreates it and
     * delivers from the outbox table).
     *
     * @return the position the slot starts at, or empty if another process created it first
     */
    static Optional<Lsn> create(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(createSql(serverVersionNum(connection)))) {
            statement.setString(1, slot);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return Optional.of(Lsn.parse(row.getString(1)));
            }
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState())) {
                // duplicate_object: another instance created it between our check and now.
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Pure: the statement that creates a slot on a server of {@code serverVersionNum}. */
    static String createSql(int serverVersionNum) {
        // Arguments: name, plugin, temporary, two-phase, failover (PostgreSQL 17+).
        return serverVersionNum >= FAILOVER_SLOTS_SINCE
                ? "SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput', false, false, true)"
                : "SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput')";
    }

    static int serverVersionNum(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_catalog.current_setting('server_version_num')::int");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
