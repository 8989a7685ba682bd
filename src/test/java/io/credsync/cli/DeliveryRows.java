package io.credsync.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Outbox and delivery rows for the commands' tests, as the consumer would have left them. */
final class DeliveryRows {

    private DeliveryRows() {
    }

    /** Records an outcome for outbox row {@code outboxId}, as the consumer does. */
    static void record(Connection connection, long outboxId, String status, String reason, String secretVersion)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO credsync.delivery (outbox_id, event_id, role_name, status, attempts, reason, secret_arn,"
                        + " secret_version) SELECT id, event_id, role_name, ?, 1, ?, ?, ? FROM credsync.outbox"
                        + " WHERE id = ?")) {
            insert.setString(1, status);
            insert.setString(2, reason);
            insert.setString(3, secretVersion == null ? null : "arn:aws:secretsmanager:us-east-1:000000000000:secret:x");
            insert.setString(4, secretVersion);
            insert.setLong(5, outboxId);
            if (insert.executeUpdate() != 1) {
                throw new IllegalStateException("no outbox row " + outboxId);
            }
        }
    }

    /** The role's outbox ids, oldest first. */
    static List<Long> outboxIds(Connection connection, String role) throws SQLException {
        return longs(connection, "SELECT id FROM credsync.outbox WHERE role_name = ? ORDER BY id", role);
    }

    /** Every envelope in the outbox: none may ever be printed. */
    static List<String> envelopes(Connection connection) throws SQLException {
        List<String> envelopes = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT envelope FROM credsync.outbox");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                envelopes.add(rows.getString(1));
            }
        }
        return envelopes;
    }

    /** The outbox row {@code id}: its replay_of and event_id, or null when there is no such row. */
    static Replay replayRow(Connection connection, long id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT replay_of, event_id::text, role_name FROM credsync.outbox WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Replay(row.getObject(1, Long.class), row.getString(2), row.getString(3)) : null;
            }
        }
    }

    /** The event id of outbox row {@code id}. */
    static String eventId(Connection connection, long id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT event_id::text FROM credsync.outbox WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    /** A row of the outbox, as a replay leaves it. */
    record Replay(Long replayOf, String eventId, String role) {
    }

    private static List<Long> longs(Connection connection, String sql, String parameter) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getLong(1));
                }
            }
        }
        return values;
    }
}
