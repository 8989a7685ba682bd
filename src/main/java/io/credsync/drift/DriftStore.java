package io.credsync.drift;

import io.credsync.connection.Transactions;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The drift check's SQL: which roles are managed, where their changes stand, the verdicts kept in
 * {@code credsync.drift_check}, and {@code credsync.rotate}. Stateless; each method runs on the
 * connection it is given, which the caller owns.
 */
final class DriftStore {

    private DriftStore() {
    }

    /** Existing roles that a pattern of {@code credsync.managed_role} matches, by name. */
    static List<String> managedRoles(Connection connection) throws SQLException {
        // credsync.is_managed's test, inline: the consumer's role may read the table but not call the function.
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT r.rolname FROM pg_catalog.pg_roles r"
                        + " WHERE EXISTS (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern)"
                        + " ORDER BY r.rolname");
                ResultSet rows = statement.executeQuery()) {
            List<String> roles = new ArrayList<>();
            while (rows.next()) {
                roles.add(rows.getString(1));
            }
            return roles;
        }
    }

    static RoleProgress progress(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT (SELECT max(o.id) FROM credsync.outbox o WHERE o.role_name = ?),"
                        + " EXISTS (SELECT FROM credsync.outbox o WHERE o.role_name = ?"
                        + "   AND NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)),"
                        + " d.status, d.reason"
                        + " FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT d.status, d.reason"
                        + "   FROM credsync.delivery d WHERE d.role_name = ? ORDER BY d.outbox_id DESC LIMIT 1) d"
                        + " ON true")) {
            statement.setString(1, role);
            statement.setString(2, role);
            statement.setString(3, role);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                long newest = row.getLong(1);
                OptionalLong newestEvent = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(newest);
                return new RoleProgress(newestEvent, row.getBoolean(2), Optional.ofNullable(row.getString(3)),
                        Optional.ofNullable(row.getString(4)));
            }
        }
    }

    /**
     * Keeps {@code verdicts}, each replacing its role's previous one; a role drifted before keeps
     * the time its drift began. Rows of roles not in {@code managed} (no longer managed, or
     * dropped) are deleted; roles in {@code managed} without a verdict (skipped this time) keep
     * theirs.
     */
    static void record(Connection connection, Collection<DriftVerdict> verdicts, Collection<String> managed)
            throws SQLException {
        Transactions.inOne(connection, () -> {
            try (PreparedStatement upsert = connection.prepareStatement(
                    "INSERT INTO credsync.drift_check AS c"
                            + " (role_name, state, reason, fix, secret_name, drifted_since, checked_at)"
                            + " VALUES (?, ?, ?, ?, ?, CASE WHEN ? THEN pg_catalog.now() END, pg_catalog.now())"
                            + " ON CONFLICT (role_name) DO UPDATE SET state = excluded.state,"
                            + " reason = excluded.reason, fix = excluded.fix, secret_name = excluded.secret_name,"
                            + " drifted_since = CASE WHEN excluded.state = 'drifted'"
                            + "   THEN COALESCE(c.drifted_since, excluded.drifted_since) END,"
                            + " checked_at = excluded.checked_at")) {
                for (DriftVerdict verdict : verdicts) {
                    upsert.setString(1, verdict.role());
                    upsert.setString(2, verdict.state().sqlValue());
                    upsert.setString(3, verdict.reason());
                    upsert.setString(4, verdict.fix());
                    upsert.setString(5, verdict.secretName());
                    upsert.setBoolean(6, verdict.drifted());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM credsync.drift_check WHERE role_name <> ALL (?)")) {
                Array names = connection.createArrayOf("text", managed.toArray());
                delete.setArray(1, names);
                delete.executeUpdate();
                names.free();
            }
            return null;
        });
    }

    /** Whether the connection's role may call {@code credsync.rotate}: EXECUTE on it, USAGE on its schema. */
    static boolean mayRotate(Connection connection) throws SQLException {
        // By oid: naming the function as text ('credsync.rotate(...)') fails outright without USAGE on the schema.
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COALESCE(bool_or(pg_catalog.has_schema_privilege(p.pronamespace, 'USAGE')"
                        + " AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')), false)"
                        + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE n.nspname = 'credsync' AND p.proname = 'rotate'");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /** Rotates {@code role} with the function's default length and alphabet; returns the event id. */
    static UUID rotate(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT credsync.rotate(?)")) {
            statement.setString(1, role);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getObject(1, UUID.class);
            }
        }
    }
}
