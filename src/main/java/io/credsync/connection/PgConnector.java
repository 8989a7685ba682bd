package io.credsync.connection;

import io.credsync.config.DatabaseConfig;
import io.credsync.crypto.Password;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGProperty;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * Opens PgJDBC connections to the configured database: ordinary ones, and logical replication
 * ones ({@code replication=database}, simple query mode, as PgJDBC's replication API needs).
 *
 * <p>{@link #properties()} and {@link #replicationProperties()} hold everything but the
 * password, so they are safe to print (for {@code doctor}, say); the password joins a private
 * copy only inside {@code connect}, because {@link Properties#toString()} prints every value.
 *
 * <p>Immutable and thread-safe. Methods never return null.
 */
public final class PgConnector implements DatabaseConnector {
    /**
     * Called directly rather than through {@code DriverManager}: no lookup over every registered
     * driver, and no chance of another driver taking the URL.
     */
    private static final Driver DRIVER = new Driver();

    /** Lets PgJDBC skip version probes on connect; credsync needs PostgreSQL 15's pgoutput anyway. */
    static final String MIN_SERVER_VERSION = "15";

    private final DatabaseConfig config;
    private final String url;
    /** Present exactly when the configuration says {@code auth: iam}. */
    private final RdsIamTokens iamTokens;

    /** @return a connector for the configured database; cheap, thread-safe, holds no connection */
    public static DatabaseConnector of(DatabaseConfig config) {
        return new PgConnector(config);
    }

    PgConnector(DatabaseConfig config) {
        this.config = config;
        this.url = url(config);
        // The SDK's default chain: the ECS task role, an instance profile, the environment.
        this.iamTokens = config.iamRegion()
                .map(region -> new RdsIamTokens(region, DefaultCredentialsProvider.builder().build(), Clock.systemUTC()))
                .orElse(null);
    }

    private static String url(DatabaseConfig config) {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        // PgJDBC URL-decodes the database name, so a name with '/', '?' or '%' must be encoded.
        String database = URLEncoder.encode(config.name(), StandardCharsets.UTF_8).replace("+", "%20");
        return "jdbc:postgresql://" + host + ":" + config.port() + "/" + database;
    }

    /** @return the JDBC URL: host, port and database; no credentials, no parameters */
    public String url() {
        return url;
    }

    /** @return a new copy of the properties of an ordinary connection, without the password */
    public Properties properties() {
        Properties p = new Properties();
        PGProperty.USER.set(p, config.user());
        PGProperty.APPLICATION_NAME.set(p, config.applicationName());
        PGProperty.SSL_MODE.set(p, config.sslMode().value());
        PGProperty.CONNECT_TIMEOUT.set(p, connectTimeoutSeconds());
        // Lets the operating system notice a peer that vanished (failover, a dropped NAT entry)
        // on connections that sit idle, such as a replication stream on a quiet database.
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        // Without it PgJDBC sets extra_float_digits and application_name by a query after each
        // login, one more round trip for every password check; with it, in the startup packet.
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, MIN_SERVER_VERSION);
        return p;
    }

    /** @return a new copy of the properties of a replication connection, without the password */
    public Properties replicationProperties() {
        Properties p = properties();
        PGProperty.REPLICATION.set(p, "database");
        // The walsender speaks only the simple query protocol.
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        // So that the replication thread can wait for the server without polling: see WaitableSocket.
        PGProperty.SOCKET_FACTORY.set(p, WaitableSocketFactory.class.getName());
        return p;
    }

    private int connectTimeoutSeconds() {
        // PgJDBC counts whole seconds and reads 0 as "wait forever": round up, never down to 0.
        long millis = config.connectTimeout().toMillis();
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (millis + 999) / 1000));
    }

    @Override
    public Connection connect() throws SQLException {
        return open(properties());
    }

    @Override
    public Connection connectForReplication() throws SQLException {
        return open(replicationProperties());
    }

    @Override
    public Connection connectAs(String role, Password password) throws SQLException {
        Properties p = properties();
        PGProperty.USER.set(p, role);
        // The check's own name, so that a DBA reading pg_stat_activity knows these brief logins.
        PGProperty.APPLICATION_NAME.set(p, config.applicationName() + "-verify");
        PGProperty.PASSWORD.set(p, password.reveal());
        return connectWith(p);
    }

    @Override
    public String databaseName() {
        return config.name();
    }

    private Connection open(Properties properties) throws SQLException {
        return connectWith(withCredentials(properties));
    }

    private Connection connectWith(Properties properties) throws SQLException {
        Connection connection = DRIVER.connect(url, properties);
        if (connection == null) {
            throw new SQLException("PgJDBC did not accept the URL " + url);
        }
        return connection;
    }

    /**
     * @return {@code properties}, changed to carry the password, or a fresh IAM token (each lasts
     *     15 minutes, and is needed only to open the connection): never let it out of here
     */
    Properties withCredentials(Properties properties) {
        String secret = config.auth() == DatabaseConfig.Auth.IAM
                ? iamTokens.token(config.host(), config.port(), config.user())
                : config.password().orElseThrow().reveal();
        PGProperty.PASSWORD.set(properties, secret);
        return properties;
    }

    /** @return the URL and user; never the password */
    @Override
    public String toString() {
        return "PgConnector[" + url + ", user=" + config.user() + "]";
    }
}
