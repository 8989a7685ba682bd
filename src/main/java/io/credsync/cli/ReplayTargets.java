package io.credsync.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which events {@code replay --all-failed} replays: each failed or rejected event that still needs
 * action, as {@code credsync.failed_event} decides (the failed-events alarm counts the same). Left
 * out: a change replayed before (its newer outbox row decides, so running {@code --all-failed}
 * twice does not queue a change twice), a change whose role has synced it or a newer change since
 * (replaying it would only be superseded), and a dismissed one.
 *
 * <p>Stateless and thread-safe.
 */
final class ReplayTargets {

    private ReplayTargets() {
    }

    /** The outbox ids to replay, oldest first. */
    static List<Long> failed(Connection connection) throws SQLException {
        String sql = "SELECT e.outbox_id FROM credsync.failed_event e WHERE e.resolved_by IS NULL ORDER BY e.outbox_id";
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
