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
 * cluster-wide, so one connection, to any database, sees every database's slot. Stateless;
 * thread-safe.
 */
public final class SlotQuery {

    /**
     * What one read found.
     *
     * @param slots each slot asked about, in the order asked; a missing one reads as not existing
     * @param walInsertPosition {@code pg_current_wal_insert_lsn()} as text: it moves whenever
     *     anything in the cluster writes, and only then; null when no slot was asked about
     */
    public record ClusterSlots(Map<String, SlotFigures> slots, String walInsertPosition) {
        public ClusterSlots {
            slots = Map.copyOf(slots);
        }
    }

    private SlotQuery() {
    }

    /**
     * Reads the slots named on {@code connection}.
     *
     * @param connection an open connection to any database of the cluster; not closed
     * @param slotNames the slots to ask about; may be empty
     */
    public static ClusterSlots read(Connection connection, Collection<String> slotNames) throws SQLException {
        Objects.requireNonNull(slotNames, "slotNames");
        if (slotNames.isEmpty()) {
            return new ClusterSlots(Map.of(), null);
        }
        boolean hasWalStatus = connection.getMetaData().getDatabaseMajorVersion() >= 13;
        Map<String, SlotFigures> slots = new LinkedHashMap<>();
        String position = null;
        Array names = connection.createArrayOf("text", slotNames.toArray());
        try (PreparedStatement statement = connection.prepareStatement(sql(hasWalStatus))) {
            statement.setArray(1, names);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    String name = row.getString(1);
                    int pid = row.getInt(4);
                    Integer activePid = row.wasNull() ? null : pid;
                    slots.put(name, new SlotFigures(name, row.getBoolean(2), row.getBoolean(3), activePid,
                            row.getString(5), nullableLong(row, 6), nullableLong(row, 7)));
                    position = row.getString(8);
                }
            }
        } finally {
            names.free();
        }
        return new ClusterSlots(slots, position);
    }

    static String sql(boolean hasWalStatus) {
        return "SELECT n.name, s.slot_name IS NOT NULL, COALESCE(s.active, false), s.active_pid, "
                + (hasWalStatus ? "s.wal_status" : "NULL::text") + ","
                + " pg_catalog.pg_wal_lsn_diff(w.at, s.restart_lsn)::bigint,"
                + " pg_catalog.pg_wal_lsn_diff(w.at, s.confirmed_flush_lsn)::bigint,"
                + " w.inserted::text"
                + " FROM (SELECT pg_catalog.pg_current_wal_lsn() AS at,"
                + " pg_catalog.pg_current_wal_insert_lsn() AS inserted) w"
                + " CROSS JOIN pg_catalog.unnest(?::text[]) WITH ORDINALITY AS n(name, position)"
                + " LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = n.name"
                + " ORDER BY n.position";
    }

    private static Long nullableLong(ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }
}
