package io.credsync.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Plain statements on a test's own connection, for the tests that run SQL directly.
 *
 * <p>Stateless and thread-safe; the caller owns the connection.
 */
public final class Jdbc {

    private Jdbc() {
    }

    /** Runs {@code sql}, ignoring any result. */
    public static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of the first row of {@code sql} as a number (0 for SQL NULL). */
    public static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The first column of the first row of {@code sql} as text; null for SQL NULL. */
    public static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
