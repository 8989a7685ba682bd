package io.credsync.doctor;

import io.credsync.aws.AwsClients;
import io.credsync.config.AwsConfig;
import io.credsync.config.CredsyncConfig;
import io.credsync.connection.PgConnector;
import io.credsync.install.InstallKind;
import io.credsync.install.ServerFacts;
import io.credsync.install.ServerProbe;
import io.credsync.keys.KeyRegistry;
import io.credsync.keys.KeyRegistry.RegisteredKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * What doctor's checks share: the configuration, one database connection, the server's facts,
 * the active key and the AWS clients, each made on first use and kept for the checks after, so
 * that a database that cannot be reached is tried once, not once per check.
 *
 * <p>Not thread-safe: the checks run one after another. Owns what it opens; {@link #close()}
 * closes it.
 */
public final class DoctorContext implements AutoCloseable {

    /** Opens the database connection; {@code PgConnector.of(config.database())::connect} in production. */
    @FunctionalInterface
    public interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    /** The longest one of doctor's statements may run. */
    static final long STATEMENT_TIMEOUT_MS = 30_000;

    private final CredsyncConfig config;
    private final String consumerRole;
    private final ConnectionOpener connector;
    private final Supplier<KmsClient> kmsFactory;
    private final Supplier<SecretsManagerClient> secretsManagerFactory;

    private Connection connection;
    private SQLException connectFailure;
    private ServerFacts facts;
    private Optional<RegisteredKey> activeKey;
    private KmsClient kms;
    private SecretsManagerClient secretsManager;

    /**
     * @param consumerRole the role whose privileges the consumer check reads
     * @param kmsFactory makes the KMS client when a check first needs it
     * @param secretsManagerFactory makes the Secrets Manager client likewise
     */
    public DoctorContext(CredsyncConfig config, String consumerRole, ConnectionOpener connector,
            Supplier<KmsClient> kmsFactory, Supplier<SecretsManagerClient> secretsManagerFactory) {
        this.config = Objects.requireNonNull(config, "config");
        this.consumerRole = Objects.requireNonNull(consumerRole, "consumerRole");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.kmsFactory = Objects.requireNonNull(kmsFactory, "kmsFactory");
        this.secretsManagerFactory = Objects.requireNonNull(secretsManagerFactory, "secretsManagerFactory");
    }

    /**
     * A context for the configured database and AWS endpoints, with the SDK's default credentials.
     *
     * @param consumerRole the role to check, or null for the configured {@code database.user}
     */
    public static DoctorContext of(CredsyncConfig config, String consumerRole) {
        AwsConfig aws = config.aws();
        return new DoctorContext(config, consumerRole != null ? consumerRole : config.database().user(),
                PgConnector.of(config.database())::connect,
                () -> AwsClients.build(KmsClient.builder(), aws.region(), aws.kmsEndpoint().orElse(null), null),
                () -> AwsClients.build(SecretsManagerClient.builder(), aws.region(),
                        aws.secretsManagerEndpoint().orElse(null), null));
    }

    public CredsyncConfig config() {
        return config;
    }

    /** The role the consumer runs as: {@code --consumer-role}, else {@code database.user}. */
    public String consumerRole() {
        return consumerRole;
    }

    /**
     * Opens the connection, the first time; later calls return it, or throw the first failure
     * again. For the connection check, which reports the failure.
     */
    public Connection connect() throws SQLException {
        if (connection == null && connectFailure == null) {
            try {
                connection = readOnly(connector.open());
            } catch (SQLException e) {
                connectFailure = e;
            }
        }
        if (connectFailure != null) {
            throw connectFailure;
        }
        return connection;
    }

    /**
     * Doctor only looks: every transaction read-only, as a safety net, and no statement may hang
     * on a lock for longer than {@link #STATEMENT_TIMEOUT_MS}.
     */
    private static Connection readOnly(Connection c) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute("SET default_transaction_read_only = on");
            statement.execute("SET statement_timeout = " + STATEMENT_TIMEOUT_MS);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The connection, for every other check; skipped when it cannot be opened. */
    public Connection connection() throws CheckSkipped {
        try {
            return connect();
        } catch (SQLException e) {
            throw new CheckSkipped("no database connection");
        }
    }

    /** The server's facts, read once. */
    public ServerFacts facts() throws CheckSkipped, SQLException {
        if (facts == null) {
            facts = ServerProbe.read(connection());
        }
        return facts;
    }

    /**
     * How credsync is installed here; when it is not, which hook the server preloads; empty when
     * neither tells.
     */
    public Optional<InstallKind> kind() throws CheckSkipped, SQLException {
        ServerFacts f = facts();
        if (f.installedKind().isPresent()) {
            return f.installedKind();
        }
        if (f.preloaded(InstallKind.NATIVE) != f.preloaded(InstallKind.PGTLE)) {
            return Optional.of(f.preloaded(InstallKind.NATIVE) ? InstallKind.NATIVE : InstallKind.PGTLE);
        }
        return Optional.empty();
    }

    /** Skips the calling check unless the credsync extension is installed. */
    public void requireExtension() throws CheckSkipped, SQLException {
        if (facts().installedVersion().isEmpty()) {
            throw new CheckSkipped("credsync is not installed");
        }
    }

    /** The active key, read once; skipped when credsync is not installed. */
    public Optional<RegisteredKey> activeKey() throws CheckSkipped, SQLException {
        if (activeKey == null) {
            requireExtension();
            activeKey = KeyRegistry.active(connection());
        }
        return activeKey;
    }

    /** The KMS client, made on first use. */
    public KmsClient kms() {
        if (kms == null) {
            kms = kmsFactory.get();
        }
        return kms;
    }

    /** The Secrets Manager client, made on first use. */
    public SecretsManagerClient secretsManager() {
        if (secretsManager == null) {
            secretsManager = secretsManagerFactory.get();
        }
        return secretsManager;
    }

    /** Closes what was opened, each in its own try. */
    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Nothing was written on it; the server ends the session.
            }
        }
        try {
            if (kms != null) {
                kms.close();
            }
        } finally {
            if (secretsManager != null) {
                secretsManager.close();
            }
        }
    }
}
