package io.credsync.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;

/**
 * Runs real CREATE ROLE and ALTER ROLE statements, as a DBA would. Passwords cannot be bind parameters in
 * these statements, so they are quoted by PgJDBC's own escaping, as a client would. Every password set
 * here is registered for the run's secret scan ({@link SecretScan}) first.
 */
public final class RoleStatements {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private RoleStatements() {
    }

    /** A role name no other test uses, starting with {@code prefix}. */
    public static String uniqueName(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    }

    public static void createRole(Connection connection, String role, String password) throws SQLException {
        execute(connection, "CREATE ROLE " + identifier(connection, role) + " LOGIN PASSWORD "
                + literal(connection, SecretScan.password(password)));
    }

    public static void createRoleWithoutPassword(Connection connection, String role) throws SQLException {
        execute(connection, "CREATE ROLE " + identifier(connection, role) + " LOGIN");
    }

    public static void alterPassword(Connection connection, String role, String password) throws SQLException {
        execute(connection, "ALTER ROLE " + identifier(connection, role) + " PASSWORD "
                + literal(connection, SecretScan.password(password)));
    }

    public static void alterPassword(Connection connection, String role, String password, String validUntil)
            throws SQLException {
        execute(connection, "ALTER ROLE " + identifier(connection, role) + " PASSWORD "
                + literal(connection, SecretScan.password(password)) + " VALID UNTIL " + literal(connection, validUntil));
    }

    public static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    public static String identifier(Connection connection, String name) throws SQLException {
        return connection.unwrap(PGConnection.class).escapeIdentifier(name);
    }

    public static String literal(Connection connection, String value) throws SQLException {
        // escapeLiteral doubles the quotes but does not add the outer ones.
        return "'" + connection.unwrap(PGConnection.class).escapeLiteral(value) + "'";
    }
}
