package io.credsync.delivery;

import io.credsync.connection.DatabaseConnector;
import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import io.credsync.verify.RoleLogin;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The consumer's side of the outbox and delivery tables: which events still need delivering,
 * what was already written for a role, and the durable record of each outcome.
 *
 * <p>Not thread-safe: the delivery thread owns it and its connection. A broken connection is
 * replaced on the next call.
 */
public final class DeliveryStore implements AutoCloseable {

    private static final String OUTBOX_COLUMNS =
            "o.id, o.event_id, o.role_name, o.kid, o.envelope, o.replay_of, o.created_at";

    private final DatabaseConnector connector;
    private Connection connection;

    public DeliveryStore(DatabaseConnector connector) {
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    /** The name of the database whose outbox this is. */
    public String databaseName() {
        return connector.databaseName();
    }

    /** Up to {@code limit} events after {@code afterId} that have no delivery row, oldest first. */
    public List<OutboxEvent> undelivered(long afterId, int limit) throws SQLException {
        String sql = "SELECT " + OUTBOX_COLUMNS + " FROM credsync.outbox o"
                + " WHERE o.id > ? AND NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)"
                + " ORDER BY o.id LIMIT ?";
        try (PreparedStatement statement = connection().prepareStatement(sql)) {
            statement.setLong(1, afterId);
            statement.setInt(2, limit);
            return events(statement);
        }
    }

    /**
     * Up to {@code limit} of the newest events of {@code role} after {@code afterId} that have
     * no delivery row, newest first: changes committed since a batch was read, which a delivery
     * of that batch coalesces with it.
     */
    public List<OutboxEvent> newerUndelivered(String role, long afterId, int limit) throws SQLException {
        String sql = "SELECT " + OUTBOX_COLUMNS + " FROM credsync.outbox o"
                + " WHERE o.role_name = ? AND o.id > ?"
                + " AND NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)"
                + " ORDER BY o.id DESC LIMIT ?";
        try (PreparedStatement statement = connection().prepareStatement(sql)) {
            statement.setString(1, role);
            statement.setLong(2, afterId);
            statement.setInt(3, limit);
            return events(statement);
        }
    }

    private static List<OutboxEvent> events(PreparedStatement statement) throws SQLException {
        List<OutboxEvent> events = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                events.add(new OutboxEvent(rows.getLong(1), new EventId(rows.getObject(2, UUID.class)),
                        rows.getString(3), rows.getString(4), rows.getString(5), rows.getObject(6, Long.class),
                        rows.getTimestamp(7).toInstant()));
            }
        }
        return events;
    }

    /** The ids among {@code outboxIds} that already have a delivery row. */
    public Set<Long> alreadyDelivered(Collection<Long> outboxIds) throws SQLException {
        Set<Long> delivered = new HashSet<>();
        if (outboxIds.isEmpty()) {
            return delivered;
        }
        try (PreparedStatement statement = connection().prepareStatement(
                "SELECT outbox_id FROM credsync.delivery WHERE outbox_id = ANY (?)")) {
            Array ids = connection().createArrayOf("bigint", outboxIds.toArray());
            statement.setArray(1, ids);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    delivered.add(rows.getLong(1));
                }
            }
        }
        return delivered;
    }

    /**
     * The {@link OutboxEvent#orderKey()} of the newest change of {@code role} that was written
     * to its secret, if any: an event ranked below it would set an older password.
     */
    public OptionalLong newestSyncedOrderKey(String role) throws SQLException {
        try (PreparedStatement statement = connection().prepareStatement(
                "SELECT max(coalesce(o.replay_of, o.id)) FROM credsync.delivery d"
                        + " JOIN credsync.outbox o ON o.id = d.outbox_id"
                        + " WHERE d.role_name = ? AND d.status = 'synced'")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long value = rows.getLong(1);
                return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
            }
        }
    }

    /**
     * Whether a new snapshot sees the outbox row {@code outboxId}. The replication stream can
     * deliver a commit a moment before it is visible to new sessions; the row and the role's new
     * password commit together, so once this sees the row, a login sees the password.
     */
    public boolean isVisible(long outboxId) throws SQLException {
        try (PreparedStatement statement = connection().prepareStatement(
                "SELECT EXISTS (SELECT FROM credsync.outbox WHERE id = ?)")) {
            statement.setLong(1, outboxId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    /** The role's login facts, or empty if no such role exists. */
    public Optional<RoleLogin> roleLogin(String role) throws SQLException {
        return RoleLogin.read(connection(), role);
    }

    /** The id of a change of {@code role} newer than {@code orderKey}, if there is one. */
    public OptionalLong newerEvent(String role, long orderKey) throws SQLException {
        try (PreparedStatement statement = connection().prepareStatement(
                "SELECT max(COALESCE(o.replay_of, o.id)) FROM credsync.outbox o"
                        + " WHERE o.role_name = ? AND COALESCE(o.replay_of, o.id) > ?")) {
            statement.setString(1, role);
            statement.setLong(2, orderKey);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long value = rows.getLong(1);
                return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
            }
        }
    }

    /**
     * Records outcomes durably, all or none. An event that already has a row keeps it: a
     * redelivered event's first outcome stands.
     */
    public void record(List<DeliveryRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        Connection c = connection();
        c.setAutoCommit(false);
        try (PreparedStatement statement = c.prepareStatement(
                "INSERT INTO credsync.delivery (outbox_id, event_id, role_name, status, attempts, reason,"
                        + " secret_arn, secret_version, lsn, delivered_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::pg_lsn, ?) ON CONFLICT (outbox_id) DO NOTHING")) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            for (DeliveryRecord record : records) {
                statement.setLong(1, record.outboxId());
                statement.setObject(2, record.eventId().value());
                statement.setString(3, record.roleName());
                statement.setString(4, record.status().sqlValue());
                statement.setInt(5, record.attempts());
                statement.setString(6, record.reason());
                statement.setString(7, record.secretArn());
                statement.setString(8, record.secretVersion());
                statement.setString(9, record.lsn() == null ? null : record.lsn().toString());
                statement.setTimestamp(10, now);
                statement.addBatch();
            }
            statement.executeBatch();
            c.commit();
        } catch (SQLException e) {
            rollbackQuietly(c, e);
            throw e;
        } finally {
            resetAutoCommit(c);
        }
    }

    /**
     * Forgets the connection after {@code failure} if the failure means it is gone (SQLState
     * class 08, or an administrator's shutdown), so that the next call opens a new one.
     */
    public void discardIfBroken(SQLException failure) {
        String state = failure.getSQLState();
        if (state == null || state.startsWith("08") || state.startsWith("57P")) {
            close();
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Closing a connection that failed already: nothing more can be done with it.
                connection = null;
                return;
            }
            connection = null;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            close();
            connection = connector.connect();
        }
        return connection;
    }

    private static void rollbackQuietly(Connection c, SQLException failure) {
        try {
            c.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }

    private void resetAutoCommit(Connection c) {
        try {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // The connection is unusable; the next call opens a new one.
            close();
        }
    }
}
