package io.credsync.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the benchmarks ask credsync's tables: pending events and delivery outcomes. */
final class OutboxQueries {

    private final Connection connection;

    /** @param connection a superuser connection the caller owns and closes */
    OutboxQueries(Connection connection) {
        this.connection = connection;
    }

    /** Outbox rows that have no delivery row yet. */
    long pending() throws SQLException {
        return single("SELECT count(*) FROM credsync.outbox o"
                + " WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)");
    }

    /** The newest outbox id, 0 when there is none. */
    long lastOutboxId() throws SQLException {
        return single("SELECT coalesce(max(id), 0) FROM credsync.outbox");
    }

    /**
     * Polls every 10 ms until no outbox row lacks a delivery row.
     *
     * @return {@link System#nanoTime()} when that was first seen
     */
    long awaitNothingPending(Duration timeout) throws SQLException, InterruptedException {
        Deadline deadline = Deadline.in(timeout);
        while (true) {
            long pending = pending();
            if (pending == 0) {
                return System.nanoTime();
            }
            deadline.check("every outbox row getting a delivery row (" + pending + " still have none)");
            Thread.sleep(10);
        }
    }

    /**
     * Status, attempts and reason of each delivery row after {@code afterId} whose status is
     * none of {@code expected}, one line each, in outbox order.
     */
    List<String> reasonsAfter(long afterId, String... expected) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT format('outbox row %s of role %s: %s after %s attempts: %s', outbox_id, role_name, status,"
                        + " attempts, reason) FROM credsync.delivery WHERE outbox_id > ? AND status <> ALL (?)"
                        + " ORDER BY outbox_id")) {
            statement.setLong(1, afterId);
            statement.setArray(2, connection.createArrayOf("text", expected));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
            }
        }
        return lines;
    }

    /** Delivery rows of outbox rows after {@code afterId}, counted by status. */
    Map<String, Long> statusesAfter(long afterId) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT status, count(*) FROM credsync.delivery WHERE outbox_id > ? GROUP BY status")) {
            statement.setLong(1, afterId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return counts;
    }

    /**
     * The outcome of {@code role}'s newest outbox row, for failure messages: status and reason
     * (reasons never hold a password), or that it has no delivery row yet.
     */
    String newestOutcome(String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT o.id, d.status, d.reason"
                + " FROM credsync.outbox o LEFT JOIN credsync.delivery d ON d.outbox_id = o.id"
                + " WHERE o.role_name = ? ORDER BY o.id DESC LIMIT 1")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return "no outbox row";
                }
                String status = rows.getString(2);
                return "outbox row " + rows.getLong(1) + (status == null ? " has no delivery row yet"
                        : " is " + status + (rows.getString(3) == null ? "" : " (" + rows.getString(3) + ")"));
            }
        }
    }

    /** Whether {@code role}'s newest outbox row has a delivery row other than {@code synced}. */
    boolean newestNotSynced(String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT d.status::text <> 'synced'"
                + " FROM credsync.outbox o JOIN credsync.delivery d ON d.outbox_id = o.id"
                + " WHERE o.id = (SELECT max(id) FROM credsync.outbox WHERE role_name = ?)")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    private long single(String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
