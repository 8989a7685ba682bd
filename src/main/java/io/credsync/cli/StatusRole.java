package io.credsync.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A role in {@code status}: a role that is managed now, or whose password credsync once synced,
 * and its last synced change.
 *
 * <p>Immutable and thread-safe. {@code role} is never null; the sync fields are all null when the
 * role's password was never synced (a managed role whose password has not changed since).
 *
 * @param role the role's name
 * @param managed whether an existing role of this name matches a {@code credsync.managed_role}
 *     pattern now (false for a dropped role, or one no longer managed)
 * @param lastSyncedAt when its newest synced change was written
 * @param secretVersion the Secrets Manager version id that write created
 * @param secretArn the secret's ARN
 * @param outboxId the outbox id of that change
 * @param drift the consumer's last drift check of the role; null when it has none
 */
record StatusRole(String role, boolean managed, Instant lastSyncedAt, String secretVersion, String secretArn,
        Long outboxId, Drift drift) {

    /**
     * The last drift check ({@code credsync.drift_check}).
     *
     * @param state {@code in_sync}, {@code drifted} or {@code unverifiable}; never null
     * @param reason what is wrong; null when in sync
     * @param fix what to do; null when in sync
     * @param checkedAt when it was checked; never null
     * @param driftedSince when the drift was first seen; null unless drifted
     */
    record Drift(String state, String reason, String fix, Instant checkedAt, Instant driftedSince) {
        boolean drifted() {
            return "drifted".equals(state);
        }
    }

    /**
     * Every managed role and every role with a synced change, by name. The newest change is the one
     * with the highest outbox id: delivery never regresses, so that is also the newest password.
     */
    static List<StatusRole> readAll(Connection connection) throws SQLException {
        String sql = "WITH managed AS ("
                + " SELECT r.rolname::text AS role_name FROM pg_catalog.pg_roles r"
                + " WHERE EXISTS (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern)),"
                + " last_synced AS ("
                + " SELECT DISTINCT ON (d.role_name) d.role_name, d.delivered_at, d.secret_version, d.secret_arn,"
                + " d.outbox_id FROM credsync.delivery d WHERE d.status = 'synced'"
                + " ORDER BY d.role_name, d.outbox_id DESC)"
                + " SELECT COALESCE(m.role_name, l.role_name) AS role_name, m.role_name IS NOT NULL, l.delivered_at,"
                + " l.secret_version, l.secret_arn, l.outbox_id, c.state, c.reason, c.fix, c.checked_at, c.drifted_since"
                + " FROM managed m FULL JOIN last_synced l ON l.role_name = m.role_name"
                + " LEFT JOIN credsync.drift_check c ON c.role_name = COALESCE(m.role_name, l.role_name)"
                + " ORDER BY 1";
        List<StatusRole> roles = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                Timestamp at = rows.getTimestamp(3);
                String state = rows.getString(7);
                Drift drift = state == null ? null : new Drift(state, rows.getString(8), rows.getString(9),
                        instant(rows.getTimestamp(10)), instant(rows.getTimestamp(11)));
                roles.add(new StatusRole(rows.getString(1), rows.getBoolean(2), instant(at), rows.getString(4),
                        rows.getString(5), rows.getObject(6, Long.class), drift));
            }
        }
        return roles;
    }

    private static Instant instant(Timestamp at) {
        return at == null ? null : at.toInstant();
    }
}
