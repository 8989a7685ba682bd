package io.credsync.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** One row of credsync.outbox, as the tests read it. */
record OutboxEvent(long id, UUID eventId, OffsetDateTime createdAt, String roleName, String kid, String envelope,
        Long replayOf, String rowText) {

    /** Every row for {@code role}, oldest first. */
    static List<OutboxEvent> forRole(Connection superuser, String role) throws SQLException {
        List<OutboxEvent> events = new ArrayList<>();
        try (PreparedStatement statement = superuser.prepareStatement(
                "SELECT o.id, o.event_id, o.created_at, o.role_name, o.kid, o.envelope, o.replay_of, o::text"
                        + " FROM credsync.outbox o WHERE o.role_name = ? ORDER BY o.id")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.add(new OutboxEvent(rows.getLong(1), rows.getObject(2, UUID.class),
                            rows.getObject(3, OffsetDateTime.class), rows.getString(4), rows.getString(5),
                            rows.getString(6), rows.getObject(7, Long.class), rows.getString(8)));
                }
            }
        }
        return events;
    }

    /** The number of rows in the whole outbox. */
    static long count(Connection superuser) throws SQLException {
        try (PreparedStatement statement = superuser.prepareStatement("SELECT count(*) FROM credsync.outbox");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
