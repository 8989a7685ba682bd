package io.credsync.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * What the catalog says about whether a role can log in with a password, from
 * {@code pg_roles} and {@code pg_stat_activity}, which every role may read.
 *
 * @param canLogin the role's LOGIN attribute
 * @param validUntil when its password expires; null for never
 * @param connectionLimit its connection limit; -1 for none
 * @param connections its connections open now
 */
public record RoleLogin(boolean canLogin, Instant validUntil, int connectionLimit, long connections) {

    /** Reads {@code role}'s login facts on {@code connection}; empty if no such role exists. */
    public static Optional<RoleLogin> read(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT r.rolcanlogin, r.rolvaliduntil, r.rolconnlimit,"
                        + " (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.usename = r.rolname)"
                        + " FROM pg_catalog.pg_roles r WHERE r.rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                Timestamp validUntil = rows.getTimestamp(2);
                return Optional.of(new RoleLogin(rows.getBoolean(1), validUntil == null ? null : validUntil.toInstant(),
                        rows.getInt(3), rows.getLong(4)));
            }
        }
    }
}
