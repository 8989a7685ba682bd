package io.credsync.connection;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that opens each physical connection through a {@link DatabaseConnector}:
 * what lets the pool use the connector's settings (connect timeout, TCP keepalive, SSL mode,
 * {@code application_name}, the minimum server version), and, with {@code auth: iam}, a fresh
 * RDS IAM token for every connection it opens, with no token ever stored in the pool's
 * configuration.
 *
 * <p>Thread-safe, as the connector is. Only {@link #getConnection()} is supported: the
 * connector's credentials are the only ones.
 */
final class ConnectorDataSource implements DataSource {

    private final DatabaseConnector connector;

    ConnectorDataSource(DatabaseConnector connector) {
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connector.connect();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the connector's credentials are the only ones");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // DataSource's own logging is not used: credsync logs through SLF4J.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // The connector's connect timeout (database.connect_timeout) applies.
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("credsync logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "ConnectorDataSource[" + connector + "]";
    }
}
