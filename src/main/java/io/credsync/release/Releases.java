package io.credsync.release;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and records releases in {@code credsync.released_database}, and what releasing waits for:
 * a released database's pending events, and its slot. Stateless; thread-safe.
 */
public final class Releases {

    private Releases() {
    }

    /**
     * The databases released, as recorded in the database {@code home} is connected to (the home
     * database), oldest release first.
     */
    public static List<ReleasedDatabase> read(Connection home) throws SQLException {
        List<ReleasedDatabase> released = new ArrayList<>();
        try (PreparedStatement statement = home.prepareStatement("SELECT r.datoid::bigint, r.datname::text,"
                + " r.released_by, r.released_at FROM credsync.released_database r ORDER BY r.released_at, r.datoid");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                released.add(new ReleasedDatabase(rows.getLong(1), rows.getString(2), rows.getString(3),
                        rows.getTimestamp(4).toInstant()));
            }
        }
        return released;
    }

    /**
     * The names of the databases released, as recorded in the home database {@code home} is
     * connected to, that still exist (by OID: one created later under a released name is not).
     */
    public static Set<String> existingReleasedNames(Connection home) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement statement = home.prepareStatement("SELECT d.datname::text"
                + " FROM credsync.released_database r JOIN pg_catalog.pg_database d ON d.oid = r.datoid");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    /**
     * Whether the database {@code connection} is connected to records its own release, which is
     * what makes capture there refuse managed roles' changes (as capture reads it).
     */
    public static boolean recordedHere(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT EXISTS (SELECT"
                + " FROM credsync.released_database r JOIN pg_catalog.pg_database d ON d.oid = r.datoid"
                + " WHERE d.datname = pg_catalog.current_database())");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /**
     * Records in the released database itself that it is released, in one transaction that first
     * locks its outbox against inserts: a password change captured there and not yet committed is
     * waited for (its event then counts as pending, and is delivered before the slot goes), and one
     * captured after sees the release and is refused. Idempotent.
     *
     * @param released a connection to the database being released, in auto-commit mode; left so
     */
    public static void recordInReleased(Connection released, long oid, String name) throws SQLException {
        released.setAutoCommit(false);
        try {
            try (Statement lock = released.createStatement()) {
                lock.execute("LOCK TABLE credsync.outbox IN SHARE MODE");
            }
            insert(released, oid, name);
            released.commit();
        } catch (SQLException | RuntimeException e) {
            released.rollback();
            throw e;
        } finally {
            released.setAutoCommit(true);
        }
    }

    /** Records in the home database that the database is released; idempotent. */
    public static void recordInHome(Connection home, long oid, String name) throws SQLException {
        insert(home, oid, name);
    }

    /**
     * What keeps a released database's slot: its events without a delivery row, and its sessions
     * (other than this one) whose snapshot may predate the release.
     *
     * @param pendingEvents outbox rows without a delivery row
     * @param olderSessions client sessions whose snapshot may not see the release: in REPEATABLE
     *     READ or SERIALIZABLE such a transaction still captures a change after
     *     {@link #recordInReleased}'s lock has gone, and its event only a slot still there delivers
     */
    public record Outstanding(long pendingEvents, long olderSessions) {

        /** A database without credsync: nothing to wait for. */
        public static final Outstanding NONE = new Outstanding(0, 0);

        /** Whether the slot may go. */
        public boolean none() {
            return pendingEvents == 0 && olderSessions == 0;
        }
    }

    /**
     * Reads {@link Outstanding} in the released database {@code connection} is connected to, in one
     * statement. A snapshot whose xmin follows the release's transaction sees the release; one that
     * does not might not, so it counts until it ends (as {@code CREATE INDEX CONCURRENTLY} waits
     * for older snapshots). Only client backends count: walsenders, autovacuum and other workers
     * capture no password change. {@code backend_xmin} is shown to every role.
     */
    public static Outstanding outstanding(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT"
                + " (SELECT count(*) FROM credsync.outbox o"
                + " WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)),"
                + " (SELECT count(*) FROM pg_catalog.pg_stat_activity a"
                + " WHERE a.datname = pg_catalog.current_database() AND a.pid <> pg_catalog.pg_backend_pid()"
                + " AND a.backend_type = 'client backend' AND a.backend_xmin IS NOT NULL"
                + " AND EXISTS (SELECT FROM credsync.released_database r"
                + " JOIN pg_catalog.pg_database d ON d.oid = r.datoid"
                + " WHERE d.datname = pg_catalog.current_database()"
                + " AND pg_catalog.age(a.backend_xmin) >= pg_catalog.age(r.xmin)))");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return new Outstanding(row.getLong(1), row.getLong(2));
        }
    }

    /** A slot's state: whether it exists, and whether a process streams from it now. */
    public enum SlotState { MISSING, INACTIVE, ACTIVE }

    /** {@code slot}'s state; slots are cluster-wide, so any database's connection serves. */
    public static SlotState slotState(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT s.active FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return SlotState.MISSING;
                }
                return row.getBoolean(1) ? SlotState.ACTIVE : SlotState.INACTIVE;
            }
        }
    }

    /**
     * Drops {@code slot} if it exists and nobody streams from it.
     *
     * @return whether the slot is gone (dropped now, or missing already); false while in use
     */
    public static boolean dropSlotIfIdle(Connection connection, String slot) throws SQLException {
        // One statement, so that a slot taken between the check and the drop fails the drop (55006)
        // rather than being dropped under its holder.
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_catalog.pg_drop_replication_slot(s.slot_name) FROM pg_catalog.pg_replication_slots s"
                        + " WHERE s.slot_name = ? AND NOT s.active")) {
            statement.setString(1, slot);
            statement.execute();
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
        return slotState(connection, slot) == SlotState.MISSING;
    }

    private static void insert(Connection connection, long oid, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO credsync.released_database"
                + " (datoid, datname, released_by) VALUES (?::bigint::oid, ?, session_user) ON CONFLICT DO NOTHING")) {
            statement.setLong(1, oid);
            statement.setString(2, name);
            statement.executeUpdate();
        }
    }
}
