package io.credsync.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.crypto.Password;
import io.credsync.testing.ClusterConnector;
import io.credsync.testing.CredsyncDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery's connection pool on a real PostgreSQL: it opens nothing until asked, opens each
 * physical connection through the connector (so an IAM token is minted per connection), reuses
 * a returned connection, and replaces one the server terminated.
 */
class ConnectionPoolIT {

    private static final java.time.Duration HIKARI_ALIVE_BYPASS_WINDOW = java.time.Duration.ofMillis(500);

    private CredsyncDatabase database;
    private CountingConnector connector;
    private ConnectionPool pool;

    @BeforeEach
    void freshDatabase() {
        database = CredsyncDatabase.create("pool");
        connector = new CountingConnector(ClusterConnector.superuser(database.postgres(), database.name()));
        pool = ConnectionPool.open(connector, 2, null);
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    @Test
    void shouldOpenNoConnectionUntilOneIsBorrowed() throws SQLException {
        assertThat(connector.opened()).as("a new pool must not wait for, or wake, the database").isZero();

        try (Connection connection = pool.connection()) {
            assertThat(backendPid(connection)).isPositive();
        }
        assertThat(connector.opened()).isEqualTo(1);
    }

    @Test
    void shouldReuseAReturnedConnection() throws SQLException {
        int first;
        try (Connection connection = pool.connection()) {
            first = backendPid(connection);
        }
        try (Connection connection = pool.connection()) {
            assertThat(backendPid(connection)).as("the same server session").isEqualTo(first);
        }
        assertThat(connector.opened()).isEqualTo(1);
    }

    @Test
    void shouldOpenEachPhysicalConnectionThroughTheConnector() throws SQLException {
        try (Connection one = pool.connection(); Connection two = pool.connection()) {
            assertThat(backendPid(one)).isNotEqualTo(backendPid(two));
        }
        assertThat(connector.opened()).as("one connect, and so one IAM token, per physical connection")
                .isEqualTo(2);
    }

    @Test
    void shouldValidateAndReplaceAnIdleConnectionTheServerTerminated() throws Exception {
        int terminated;
        try (Connection connection = pool.connection()) {
            terminated = backendPid(connection);
        }
        try (Connection superuser = database.connectAsSuperuser();
                Statement statement = superuser.createStatement()) {
            statement.execute("SELECT pg_terminate_backend(" + terminated + ")");
        }
        // HikariCP validates a connection on borrow once it has been unused for 500 ms (its
        // aliveBypassWindowMs); sooner, the first statement finds it broken (the next test).
        Thread.sleep(HIKARI_ALIVE_BYPASS_WINDOW.toMillis() + 100);

        int replacement;
        try (Connection connection = pool.connection()) {
            replacement = backendPid(connection);
        }
        assertThat(replacement).as("a new session, not the terminated one").isNotEqualTo(terminated);
        assertThat(connector.opened()).isEqualTo(2);
    }

    @Test
    void shouldEvictAConnectionWhoseStatementFoundItBroken() throws SQLException {
        int terminated;
        SQLException failure = null;
        try (Connection connection = pool.connection()) {
            terminated = backendPid(connection);
            try (Connection superuser = database.connectAsSuperuser();
                    Statement statement = superuser.createStatement()) {
                statement.execute("SELECT pg_terminate_backend(" + terminated + ")");
            }
            try {
                backendPid(connection);
            } catch (SQLException e) {
                failure = e;
            }
        }
        assertThat((Throwable) failure).as("the statement on the terminated session failed").isNotNull();
        assertThat(BrokenConnections.isBroken(failure)).as("SQLState " + failure.getSQLState()).isTrue();

        try (Connection connection = pool.connection()) {
            assertThat(backendPid(connection)).isNotEqualTo(terminated);
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return row.getInt(1);
        }
    }

    /** The test cluster's connector, counting the physical connections it opens. */
    private static final class CountingConnector implements DatabaseConnector {
        private final DatabaseConnector delegate;
        private final AtomicInteger opened = new AtomicInteger();

        CountingConnector(DatabaseConnector delegate) {
            this.delegate = delegate;
        }

        int opened() {
            return opened.get();
        }

        @Override
        public Connection connect() throws SQLException {
            opened.incrementAndGet();
            return delegate.connect();
        }

        @Override
        public Connection connectForReplication() throws SQLException {
            throw new UnsupportedOperationException("the pool opens ordinary connections only");
        }

        @Override
        public Connection connectAs(String role, Password password) throws SQLException {
            throw new UnsupportedOperationException("the pool logs in as the connector's user only");
        }

        @Override
        public String databaseName() {
            return delegate.databaseName();
        }
    }
}
