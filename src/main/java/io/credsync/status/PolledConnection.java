package io.credsync.status;

import io.credsync.connection.BrokenConnections;
import io.credsync.connection.DatabaseConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection kept open for reads made every so often: opened on first use with a statement
 * timeout, dropped when a read leaves it broken (and opened again at the next), and its failures
 * logged sparingly: a warning on the first of a run and on every {@value #WARN_EVERY}th, by
 * SQLState or exception class, never message text (which might quote data).
 *
 * <p>{@link #use} is called by one thread at a time (the poller's); {@link #close} may be called
 * from any thread, also during a read, which it ends.
 */
final class PolledConnection implements AutoCloseable {

    /** A read that does work in the database; the connection is the caller's only for the call. */
    @FunctionalInterface
    interface Read<T> {
        T on(Connection connection) throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(PolledConnection.class);
    private static final int WARN_EVERY = 12;

    private final DatabaseConnector connector;
    private final Duration statementTimeout;
    private final String what;
    private volatile Connection connection;
    private volatile boolean closed;
    private int consecutiveFailures;

    /**
     * @param statementTimeout how long one statement may run: a read must not hang the poller (or
     *     its close) on a lock or a slow scan
     * @param what names the reads in log lines, e.g. "the status of database appdb"
     */
    PolledConnection(DatabaseConnector connector, Duration statementTimeout, String what) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.statementTimeout = Objects.requireNonNull(statementTimeout, "statementTimeout");
        this.what = Objects.requireNonNull(what, "what");
    }

    /**
     * Runs {@code read} on the connection, opening it first if needed.
     *
     * @throws SQLException as {@code read} or the connector threw it, after logging it and
     *     dropping the connection if it broke
     * @throws IllegalStateException once closed
     */
    <T> T use(Read<T> read) throws SQLException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        try {
            T result = read.on(connection());
            if (consecutiveFailures > 0) {
                log.info("read {} again after {} failed attempts", what, consecutiveFailures);
            }
            consecutiveFailures = 0;
            return result;
        } catch (SQLException e) {
            failed("SQLState " + e.getSQLState());
            if (BrokenConnections.isBroken(e, connection)) {
                closeConnection();
            }
            throw e;
        } catch (RuntimeException e) {
            failed(e.getClass().getName());
            dropIfClosed();
            throw e;
        } finally {
            if (closed) {
                closeConnection();
            }
        }
    }

    /** Closes the connection, which also ends a read stuck in JDBC; no read runs after. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeConnection();
    }

    private Connection connection() throws SQLException {
        Connection c = connection;
        if (c != null) {
            return c;
        }
        c = connector.connect();
        try {
            c.setAutoCommit(true);
            try (Statement statement = c.createStatement()) {
                statement.execute("SET statement_timeout = " + statementTimeout.toMillis());
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        connection = c;
        return c;
    }

    private void failed(String cause) {
        consecutiveFailures++;
        if (consecutiveFailures % WARN_EVERY == 1) {
            log.warn("cannot read {} ({}); keeping the last values ({} failed attempts in a row)", what, cause,
                    consecutiveFailures);
        } else {
            log.debug("cannot read {} ({})", what, cause);
        }
    }

    /** After a failure that is not the driver's: the connection goes only if PgJDBC closed it. */
    private void dropIfClosed() {
        Connection c = connection;
        boolean closedByDriver;
        try {
            closedByDriver = c != null && c.isClosed();
        } catch (SQLException e) {
            closedByDriver = true;
        }
        if (closedByDriver) {
            closeConnection();
        }
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing the connection for {} failed (SQLState {})", what, e.getSQLState());
        }
    }
}
