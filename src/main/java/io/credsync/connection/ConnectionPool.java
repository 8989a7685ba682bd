package io.credsync.connection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A HikariCP pool of ordinary connections to one database, opened through a
 * {@link DatabaseConnector} (so each physical connection has the connector's settings and, with
 * IAM authentication, a token of its own: see {@link ConnectorDataSource}).
 *
 * <p>Sized and tuned for a consumer that is idle most of the time:
 * <ul>
 *   <li>No connection is opened until one is needed (minimum idle 0, no fail-fast connect at
 *       construction), so building a pool never waits for the database.</li>
 *   <li>A connection unused for {@link #IDLE_TIMEOUT} is closed, so an idle consumer holds no
 *       server backends for its pools; the next burst opens them again.</li>
 *   <li>No keepalive queries and no maximum lifetime: an IAM token is needed only to open a
 *       connection (RDS does not end a session when its token expires), and a connection that
 *       broke meanwhile fails HikariCP's validation when it is borrowed after more than 500 ms
 *       unused, or its first statement, and is replaced.</li>
 *   <li>What counts as a broken connection, to be evicted rather than returned, is
 *       {@link BrokenConnections}' rule, not HikariCP's own list.</li>
 * </ul>
 * HikariCP's housekeeper (idle timeouts and refills are its work) runs every
 * {@link #HOUSEKEEPING_PERIOD} rather than HikariCP's 30 s, unless the JVM is started with
 * {@value #HOUSEKEEPING_PROPERTY} set: with no minimum to refill, its one task is closing
 * connections idle for {@link #IDLE_TIMEOUT}, which then close within 10 to 15 minutes; a
 * consumer of several databases gives every pool the same housekeeping thread, and each pool's
 * round costs an idle consumer CPU (a fraction of a millisecond, mostly interpreted code).
 *
 * <p>Thread-safe. {@link #connection()} never returns null; the caller closes the connection,
 * which returns it to the pool.
 */
public final class ConnectionPool implements AutoCloseable {

    /** How long a connection may sit unused before it is closed. */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** How often HikariCP's housekeeping runs for each pool, unless {@value #HOUSEKEEPING_PROPERTY} says. */
    static final Duration HOUSEKEEPING_PERIOD = Duration.ofMinutes(5);
    /** The system property HikariCP reads its housekeeping period from, when a pool is built. */
    static final String HOUSEKEEPING_PROPERTY = "com.zaxxer.hikari.housekeeping.periodMs";
    /** How long a borrower waits for a connection (the database is away, or all are in use). */
    static final Duration BORROW_TIMEOUT = Duration.ofSeconds(10);

    /** HikariCP asks it about each failure of a borrowed connection (and each chained one). */
    private static final SQLExceptionOverride BROKEN_CONNECTION_RULE = new SQLExceptionOverride() {
        @java.lang.Override
        public Override adjudicate(SQLException failure) {
            return BrokenConnections.isBroken(failure) ? Override.MUST_EVICT : Override.DO_NOT_EVICT;
        }
    };

    private final HikariDataSource pool;
    private final String databaseName;

    private ConnectionPool(HikariDataSource pool, String databaseName) {
        this.pool = pool;
        this.databaseName = databaseName;
    }

    /**
     * A pool of at most {@code size} connections; opens none yet.
     *
     * @param housekeeper the scheduler HikariCP's housekeeping runs on, shared by the pools of
     *     one consumer and shut down by its owner; null for one of the pool's own
     */
    public static ConnectionPool open(DatabaseConnector connector, int size, ScheduledExecutorService housekeeper) {
        Objects.requireNonNull(connector, "connector");
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        // HikariCP has no per-pool setting for it; an operator's -D wins.
        System.getProperties().putIfAbsent(HOUSEKEEPING_PROPERTY, Long.toString(HOUSEKEEPING_PERIOD.toMillis()));
        HikariConfig config = new HikariConfig();
        config.setPoolName("credsync-" + connector.databaseName());
        config.setDataSource(new ConnectorDataSource(connector));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        config.setMaxLifetime(0);
        config.setKeepaliveTime(0);
        // No connection at construction: the consumer builds its pipelines before the database
        // answers, and waits for it by itself (database.startup_timeout).
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(BORROW_TIMEOUT.toMillis());
        config.setAutoCommit(true);
        config.setExceptionOverride(BROKEN_CONNECTION_RULE);
        if (housekeeper != null) {
            config.setScheduledExecutor(housekeeper);
        }
        return new ConnectionPool(new HikariDataSource(config), connector.databaseName());
    }

    /**
     * A connection from the pool, opened if none is free; waits up to {@link #BORROW_TIMEOUT}.
     *
     * @throws SQLException when none could be had in time: its SQLState is the last connection
     *     failure's, when there was one; an interrupt while waiting ends the wait with an
     *     exception and the thread's interrupt flag set
     */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** The name of the database the pool connects to. */
    public String databaseName() {
        return databaseName;
    }

    /**
     * Closes every connection; one still borrowed is aborted. Idempotent. Never waits for a
     * statement to end (HikariCP aborts connections still in use, then gives up after 10 s).
     */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + databaseName + "]";
    }
}
