package io.credsync.testing;

import static io.credsync.testing.Jdbc.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * A throwaway cluster of the test's own with credsync installed for every database (home
 * {@code home}, plus the databases asked for): the set-up and teardown the cluster-wide ITs share.
 * Closing it first checks that no output {@code outputs} watched held a password, then stops the
 * fixture's consumers and the cluster, whatever the check found.
 *
 * <p>Not thread-safe: one test's, on its thread.
 */
public final class CoveredCluster implements AutoCloseable {

    /** How long the slot lookups wait for the consumer to stream a database. */
    private static final Duration SLOT_TIMEOUT = Duration.ofSeconds(60);

    private final PostgresCluster cluster;
    private final SyncFixture fixture;
    private final OutputWatch outputs;
    private final String installOutput;

    private CoveredCluster(PostgresCluster cluster, SyncFixture fixture, OutputWatch outputs, String installOutput) {
        this.cluster = cluster;
        this.fixture = fixture;
        this.outputs = outputs;
        this.installOutput = installOutput;
    }

    /**
     * Starts the cluster, creates {@code databases}, manages {@code managedPattern} and runs
     * {@code credsync install}, which must succeed; on any failure closes what it started.
     */
    public static CoveredCluster install(ClusterOptions options, OutputWatch outputs, String managedPattern,
            String... databases) throws Exception {
        Objects.requireNonNull(outputs, "outputs");
        PostgresCluster cluster = PostgresCluster.start(options);
        SyncFixture fixture = null;
        try {
            for (String database : databases) {
                cluster.createDatabase(database);
            }
            fixture = SyncFixture.create(cluster, "home").coveringTheWholeCluster();
            fixture.database().manage(managedPattern);
            SyncFixture.CliRun install = fixture.runCli("install");
            assertThat(install.exitCode()).as(install.output()).isZero();
            return new CoveredCluster(cluster, fixture, outputs, install.output());
        } catch (Exception | AssertionError e) {
            try {
                if (fixture != null) {
                    fixture.close();
                }
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            } finally {
                cluster.close();
            }
            throw e;
        }
    }

    public PostgresCluster cluster() {
        return cluster;
    }

    public SyncFixture fixture() {
        return fixture;
    }

    /** What {@code credsync install} printed. */
    public String installOutput() {
        return installOutput;
    }

    /** The OID of {@code database}, as text; null if there is none of that name. */
    public String oidOf(String database) throws SQLException {
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            return single(postgres, "SELECT (SELECT oid::text FROM pg_catalog.pg_database WHERE datname = '"
                    + database + "')");
        }
    }

    /** The name of a replication slot in {@code database}; null if it has none. */
    public String slotOf(String database) throws SQLException {
        return slotOf(database, false);
    }

    /** Waits until {@code database} has a replication slot; returns its name. */
    public String awaitSlotOf(String database) {
        return awaitSlot(database, false);
    }

    /** Waits until a slot of {@code database} is streamed (active); returns its name. */
    public String awaitActiveSlotOf(String database) {
        return awaitSlot(database, true);
    }

    private String awaitSlot(String database, boolean active) {
        return await().alias("the consumer streams " + database).atMost(SLOT_TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(() -> slotOf(database, active), Objects::nonNull);
    }

    private String slotOf(String database, boolean active) throws SQLException {
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            return single(postgres, "SELECT (SELECT slot_name FROM pg_catalog.pg_replication_slots WHERE database = '"
                    + database + "'" + (active ? " AND active" : "") + ")");
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            outputs.assertNoPasswordNorPayload();
        } finally {
            try {
                fixture.close();
            } finally {
                cluster.close();
            }
        }
    }
}
