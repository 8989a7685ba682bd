package io.credsync.install;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * Quoting for the few statements that cannot take bind parameters (GRANT, ALTER ROLE, ALTER
 * EXTENSION ... TO): PgJDBC's own escaping, which follows the connection's
 * {@code standard_conforming_strings}. Stateless and thread-safe.
 */
final class Sql {

    private Sql() {
    }

    /**
     * {@code name} as a quoted identifier, as PgJDBC's {@code escapeIdentifier} writes it (the
     * printed pg_tle script and build-installer write it so too).
     */
    static String identifier(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an identifier cannot hold a zero byte");
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** {@code value} as a quoted string literal. */
    static String literal(Connection connection, String value) throws SQLException {
        // escapeLiteral doubles the quotes but does not add the outer ones.
        return "'" + connection.unwrap(PGConnection.class).escapeLiteral(value) + "'";
    }
}
