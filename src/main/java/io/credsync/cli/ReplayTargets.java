package io.credsync.cli;

import io.credsync.delivery.DeliveryStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which events {@code replay --all-failed} replays: each failed or rejected event that is the
 * latest attempt at its change. A change replayed before has a newer outbox row (its
 * {@code replay_of} names the original, as {@code credsync.replay} always points at the
 * original); that row decides, so running {@code --all-failed} twice does not queue a change
 * twice, and a change whose replay succeeded is left alone.
 *
 * <p>Stateless and thread-safe.
 */
final class ReplayTargets {

    private ReplayTargets() {
    }

    /** The outbox ids to replay, oldest first. */
    static List<Long> failed(Connection connection) throws SQLException {
        // Starts from the partial index on failed and rejected rows; the NOT EXISTS walks the
        // outbox's primary key from the failed row on, which for a recent failure is short.
        String sql = "SELECT o.id FROM credsync.delivery d JOIN credsync.outbox o ON o.id = d.outbox_id"
                + " WHERE d.status IN ('" + DeliveryStatus.FAILED.sqlValue() + "', '"
                + DeliveryStatus.REJECTED.sqlValue() + "')"
                + " AND NOT EXISTS (SELECT FROM credsync.outbox n"
                + " WHERE n.id > o.id AND n.replay_of = COALESCE(o.replay_of, o.id))"
                + " ORDER BY o.id";
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }
}
