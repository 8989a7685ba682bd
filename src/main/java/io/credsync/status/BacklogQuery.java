package io.credsync.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * Reads one database's outbox backlog: its pending events, the oldest one's age, and its failed
 * events that still need action. The outbox is per database, so this runs on a connection to the
 * database whose backlog it is. Stateless; thread-safe.
 */
public final class BacklogQuery {

    static final String SQL = "SELECT p.pending,"
            // GREATEST ignores a null, so the CASE keeps "nothing pending" null.
            + " CASE WHEN p.oldest IS NOT NULL THEN"
            + " pg_catalog.date_part('epoch', GREATEST(pg_catalog.now() - p.oldest, interval '0'))::float8 END,"
            + " f.failed"
            + " FROM (SELECT count(*) AS pending, min(o.created_at) AS oldest FROM credsync.outbox o"
            + " WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)) p"
            // Only what still needs action: the view leaves out dismissed events, and those whose
            // role has synced this change or a newer one since, or that were replayed.
            + " CROSS JOIN (SELECT count(*) AS failed FROM credsync.failed_event e WHERE e.resolved_by IS NULL) f";

    private BacklogQuery() {
    }

    /**
     * Reads the backlog of the database {@code connection} is connected to.
     *
     * @param connection an open connection; not closed
     * @param clock stamps {@link BacklogFigures#readAt()}
     */
    public static BacklogFigures read(Connection connection, Clock clock) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SQL);
                ResultSet row = statement.executeQuery()) {
            row.next();
            long pending = row.getLong(1);
            double ageSeconds = row.getDouble(2);
            Duration age = row.wasNull() ? null : Duration.ofNanos(Math.round(ageSeconds * 1e9));
            return new BacklogFigures(pending, age, row.getLong(3), clock.instant());
        }
    }
}
