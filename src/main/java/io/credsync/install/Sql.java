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

    /** {@code name} as a quoted identifier, whatever it holds. */
    static String identifier(Connection connection, String name) throws SQLException {
        return connection.unwrap(PGConnection.class).escapeIdentifier(name);
    }

    /** {@code value} as a quoted string literal. */
    static String literal(Connection connection, String value) throws SQLException {
        // escapeLiteral doubles the quotes but does not add the outer ones.
        return "'" + connection.unwrap(PGConnection.class).escapeLiteral(value) + "'";
    }
}
