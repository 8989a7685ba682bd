package io.credsync.status;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads any number of replication slots in one statement: {@code pg_replication_slots} is
 * cluster-wide, so one connection, to any database, sees every database's slot; and, as cheaply,
 * each slot's database's write counters from {@code pg_stat_database}, also cluster-wide, which
 * tell the poller which databases' backlogs may have changed. Stateless; thread-safe.
 */
public final class SlotQuery {

    /**
     * What one read found.
     *
     * @param slots each slot asked about, in the order asked; a missing one reads as not existing
     * @param walInsertPosition {@code pg_current_wal_insert_lsn()} as text: it moves whenever
     *     anything in the cluster writes, and only then; null when no slot was asked about
     * @param databaseWrites by slot name, the rows its database's transactions have inserted,
     *     updated and deleted so far ({@code pg_stat_database}), for the slots whose database was
     *     named; a backend reports its counts after its transaction commits, normally within a
     *     second, up to PostgreSQL's stats intervals later (10 s for a session that reported less
     *     than a second before, 60 s under contention)
     */
    public record ClusterSlots(Map<String, SlotFigures> slots, String walInsertPosition,
            Map<String, Long> databaseWrites) {
        public ClusterSlots {
            slots = Map.copyOf(slots);
            databaseWrites = Map.copyOf(databaseWrites);
        }
    }

    private SlotQuery() {
    }

    /**
     * Reads the slots named on {@code connection}, without write counters.
     *
     * @param connection an open connection to any database of the cluster; not closed
     * @param slotNames the slots to ask about; may be empty
     */
    public static ClusterSlots read(Connection connection, Collection<String> slotNames) throws SQLException {
        Objects.requireNonNull(slotNames, "slotNames");
        Map<String, String> noDatabases = new LinkedHashMap<>();
        slotNames.forEach(slot -> noDatabases.put(slot, null));
        return read(connection, noDatabases);
    }

    /**
     * Reads the slots named on {@code connection}, and the write counters of their databases.
     *
     * @param connection an open connection to any database of the cluster; not closed
     * @param databaseBySlot the slots to ask about, each with the name of the database whose
     *     writes to count (null for none); may be empty
     */
    public static ClusterSlots read(Connection connection, Map<String, String> databaseBySlot) throws SQLException {
        Objects.requireNonNull(databaseBySlot, "databaseBySlot");
        if (databaseBySlot.isEmpty()) {
            return new ClusterSlots(Map.of(), null, Map.of());
        }
        boolean hasWalStatus = connection.getMetaData().getDatabaseMajorVersion() >= 13;
        Map<String, SlotFigures> slots = new LinkedHashMap<>();
        Map<String, Long> writes = new LinkedHashMap<>();
        String position = null;
        Array names = connection.createArrayOf("text", databaseBySlot.keySet().toArray());
        Array databases = connection.createArrayOf("text", databaseBySlot.values().toArray());
        try (PreparedStatement statement = connection.prepareStatement(sql(hasWalStatus))) {
            statement.setArray(1, names);
            statement.setArray(2, databases);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    String name = row.getString(1);
                    int pid = row.getInt(4);
                    Integer activePid = row.wasNull() ? null : pid;
                    slots.put(name, new SlotFigures(name, row.getBoolean(2), row.getBoolean(3), activePid,
                            row.getString(5), nullableLong(row, 6), nullableLong(row, 7)));
                    position = row.getString(8);
                    Long written = nullableLong(row, 9);
                    if (written != null) {
                        writes.put(name, written);
                    }
                }
            }
        } finally {
            names.free();
            databases.free();
        }
        return new ClusterSlots(slots, position, writes);
    }

    static String sql(boolean hasWalStatus) {
        return "SELECT n.name, s.slot_name IS NOT NULL, COALESCE(s.active, false), s.active_pid, "
                + (hasWalStatus ? "s.wal_status" : "NULL::text") + ","
                + " pg_catalog.pg_wal_lsn_diff(w.at, s.restart_lsn)::bigint,"
                + " pg_catalog.pg_wal_lsn_diff(w.at, s.confirmed_flush_lsn)::bigint,"
                + " w.inserted::text,"
                + " d.tup_inserted + d.tup_updated + d.tup_deleted"
                + " FROM (SELECT pg_catalog.pg_current_wal_lsn() AS at,"
                + " pg_catalog.pg_current_wal_insert_lsn() AS inserted) w"
                + " CROSS JOIN ROWS FROM (pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]))"
                + " WITH ORDINALITY AS n(name, db, position)"
                + " LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = n.name"
                + " LEFT JOIN pg_catalog.pg_stat_database d ON d.datname = n.db"
                + " ORDER BY n.position";
    }

    private static Long nullableLong(ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }
}
