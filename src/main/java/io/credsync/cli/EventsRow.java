package io.credsync.cli;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One outbox event and what became of it, as {@code events} lists it. Holds no envelope: the
 * query never selects it.
 *
 * <p>Immutable and thread-safe. Nullable: {@code attempts}, {@code reason},
 * {@code secretVersion} and {@code deliveredAt} (null while pending, and the reason and
 * version also when the outcome has none), {@code replayOf} (null for an original event), and
 * the resolution and dismissal components as each says.
 *
 * @param id the outbox id
 * @param eventId the change's identity, as the consumer's log lines show it in {@code event_id}
 * @param createdAt when the change was captured
 * @param role the role whose password changed
 * @param status {@code pending} (no delivery row yet) or the delivery status
 * @param attempts how many times the consumer tried
 * @param reason why it failed, was rejected or was superseded
 * @param secretVersion the Secrets Manager version id written
 * @param replayOf the original event's id, for a replay
 * @param deliveredAt when the outcome was recorded
 * @param resolvedBy for a failed or rejected event that needs no action any more, why:
 *     {@code dismissed}, {@code synced} (its role synced this change or a newer one since) or
 *     {@code replayed}; null otherwise (see {@code credsync.failed_event})
 * @param dismissedBy who dismissed it (the login role), when it was dismissed; else null
 * @param dismissedAt when it was dismissed; else null
 * @param dismissalReason why it was dismissed; else null
 */
record EventsRow(long id, String eventId, Instant createdAt, String role, String status, Integer attempts,
        String reason, String secretVersion, Long replayOf, Instant deliveredAt, String resolvedBy,
        String dismissedBy, Instant dismissedAt, String dismissalReason) {

    /** The status of an event without a delivery row. */
    static final String PENDING = "pending";

    EventsRow {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(status, "status");
    }

    /**
     * The newest events first, filtered.
     *
     * @param statuses the statuses to list; empty for all
     * @param role the role to list; null for all
     * @param limit the most rows to return, positive
     */
    static List<EventsRow> read(Connection connection, List<String> statuses, String role, int limit)
            throws SQLException {
        String sql = "SELECT o.id, o.event_id::text, o.created_at, o.role_name, COALESCE(d.status, '" + PENDING
                + "'), d.attempts, d.reason, d.secret_version, o.replay_of, d.delivered_at,"
                + " f.resolved_by, f.dismissed_by, f.dismissed_at, f.dismissal_reason"
                + " FROM credsync.outbox o LEFT JOIN credsync.delivery d ON d.outbox_id = o.id"
                + " LEFT JOIN credsync.failed_event f ON f.outbox_id = o.id"
                + " WHERE (cardinality(?::text[]) = 0 OR COALESCE(d.status, '" + PENDING + "') = ANY (?::text[]))"
                + " AND (?::text IS NULL OR o.role_name = ?)"
                + " ORDER BY o.id DESC LIMIT ?";
        List<EventsRow> events = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Array array = connection.createArrayOf("text", statuses.toArray());
            statement.setArray(1, array);
            statement.setArray(2, array);
            statement.setString(3, role);
            statement.setString(4, role);
            statement.setInt(5, limit);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Timestamp delivered = rows.getTimestamp(10);
                    Timestamp dismissed = rows.getTimestamp(13);
                    events.add(new EventsRow(rows.getLong(1), rows.getString(2), rows.getTimestamp(3).toInstant(),
                            rows.getString(4), rows.getString(5), rows.getObject(6, Integer.class), rows.getString(7),
                            rows.getString(8), rows.getObject(9, Long.class),
                            delivered == null ? null : delivered.toInstant(), rows.getString(11), rows.getString(12),
                            dismissed == null ? null : dismissed.toInstant(), rows.getString(14)));
                }
            }
        }
        return events;
    }
}
