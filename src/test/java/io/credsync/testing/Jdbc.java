package io.credsync.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;

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

    /**
     * Waits, after {@code pg_reload_conf()}, until {@code setting} reads {@code value} on
     * {@code connection}. Sound where a fixed sleep only hopes: the postmaster reloads the
     * configuration first and only then signals every backend, and a backend applies a pending
     * reload after reading its next statement and before running it; so once this session reads
     * the value, its next statements run with it, and so do those of every session, existing or
     * opened later.
     */
    public static void awaitSetting(Connection connection, String setting, String value) {
        Awaitility.await().alias(setting + " = '" + value + "' after the reload").atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    try (PreparedStatement statement = connection.prepareStatement(
                            "SELECT pg_catalog.current_setting(?)")) {
                        statement.setString(1, setting);
                        try (ResultSet row = statement.executeQuery()) {
                            row.next();
                            return value.equals(row.getString(1));
                        }
                    }
                });
    }

    /** The first column of the first row of {@code sql} as text; null for SQL NULL. */
    public static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
