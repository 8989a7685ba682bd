package io.credsync.testing;

import io.credsync.connection.DatabaseConnector;
import io.credsync.connection.WaitableSocketFactory;
import io.credsync.crypto.Password;
import io.credsync.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/** A {@link DatabaseConnector} for one database of a test cluster, with a user and password. Thread-safe. */
public final class ClusterConnector implements DatabaseConnector {

    private final PostgresCluster cluster;
    private final String database;
    private final String user;
    private final String password;

    public ClusterConnector(PostgresCluster cluster, String database, String user, String password) {
        this.cluster = cluster;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /** As the cluster's superuser, who may replicate. */
    public static ClusterConnector superuser(PostgresCluster cluster, String database) {
        return new ClusterConnector(cluster, database, cluster.superuser(), cluster.superuserPassword());
    }

    @Override
    public Connection connect() throws SQLException {
        return cluster.connect(database, user, password);
    }

    @Override
    public Connection connectForReplication() throws SQLException {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, user);
        PGProperty.PASSWORD.set(properties, password);
        PGProperty.REPLICATION.set(properties, "database");
        // A walsender speaks only the simple query protocol.
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        // As PgConnector does, so that the replication thread can wait for the server without polling.
        PGProperty.SOCKET_FACTORY.set(properties, WaitableSocketFactory.class.getName());
        return DriverManager.getConnection(cluster.jdbcUrl(database), properties);
    }

    @Override
    public Connection connectAs(String role, Password password) throws SQLException {
        return cluster.connect(database, role, password.reveal());
    }

    @Override
    public String databaseName() {
        return database;
    }
}
