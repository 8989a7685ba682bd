package io.credsync.cli;

import static io.credsync.testing.Jdbc.count;
import static io.credsync.testing.Jdbc.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.EventPayload;
import io.credsync.install.SchemaScript;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.StubRsaKeyUnwrapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades keep history: a database installed with the last release's script (the fixture in
 * src/test/resources/releases, which scripts/lib/setup.sh installs beside the native extension's
 * files) and holding events and deliveries is upgraded by {@code credsync install}, which keeps
 * every row, goes on capturing, and leaves exactly the schema a fresh install makes. The pg_tle
 * form of the update runs here against a stand-in pgtle schema (pg_tle itself cannot be
 * installed in CI).
 */
class UpgradeIT {

    private static final String PREVIOUS = SchemaScript.RELEASES.get(SchemaScript.RELEASES.size() - 2);
    private static final String V = SchemaScript.VERSION;
    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/upgrade";
    private static final KeyPair KEYS = RsaKeys.pair(2048);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @TempDir
    Path dir;

    private PostgresCluster cluster;

    @BeforeEach
    void nativeClusterWithThePreviousReleasesScript() throws Exception {
        assumeThat(CredsyncDatabase.InstallMode.current()).as("the native install's upgrade")
                .isEqualTo(CredsyncDatabase.InstallMode.NATIVE);
        cluster = PostgresCluster.shared();
        try (Connection c = cluster.connectAsSuperuser("postgres")) {
            assertThat(count(c, "SELECT count(*) FROM pg_available_extension_versions"
                    + " WHERE name = 'credsync' AND version = '" + PREVIOUS + "'"))
                    .as("credsync--" + PREVIOUS + ".sql in the server's extension directory, which"
                            + " scripts/lib/setup.sh installs from src/test/resources/releases")
                    .isEqualTo(1);
        }
    }

    @Test
    void installUpgradesThePreviousReleaseKeepingEveryEventAndDeliveryAndCaptureGoesOn() throws Exception {
        String database = previousRelease("upgrade");
        String role = RoleStatements.uniqueName("upg");
        List<String> before;
        try (Connection c = cluster.connectAsSuperuser(database)) {
            RoleStatements.createRole(c, role, "first-password-of-" + role);
            RoleStatements.alterPassword(c, role, "second-password-of-" + role);
            RoleStatements.alterPassword(c, role, "third-password-of-" + role);
            // As the consumer records them: the first written, the second rejected, the third pending.
            execute(c, "INSERT INTO credsync.delivery (outbox_id, event_id, role_name, status, attempts, secret_arn,"
                    + " secret_version, lsn) SELECT id, event_id, role_name, 'synced', 1,"
                    + " 'arn:aws:secretsmanager:us-east-1:111122223333:secret:credsync/upgrade', 'v1', '0/1'"
                    + " FROM credsync.outbox ORDER BY id LIMIT 1");
            execute(c, "INSERT INTO credsync.delivery (outbox_id, event_id, role_name, status, reason)"
                    + " SELECT id, event_id, role_name, 'rejected', 'the password does not log in'"
                    + " FROM credsync.outbox ORDER BY id OFFSET 1 LIMIT 1");
            before = history(c);
        }
        assertThat(before).as("keys, patterns, 3 events, 2 deliveries").hasSize(1 + 1 + 3 + 2);

        CommandRun run = install(database);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("updated extension credsync from " + PREVIOUS + " to " + V + "\n"
                + "done: 1 change committed\n");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            assertThat(history(c)).as("every key, pattern, event and delivery, unchanged").isEqualTo(before);
            assertThat(count(c, "SELECT count(*) FROM pg_extension WHERE extname = 'credsync' AND extversion = '"
                    + V + "'")).isEqualTo(1);

            RoleStatements.alterPassword(c, role, "fourth-password-of-" + role);

            try (Statement s = c.createStatement(); ResultSet row = s.executeQuery("SELECT event_id, envelope,"
                    + " id > (SELECT max(outbox_id) FROM credsync.delivery) FROM credsync.outbox"
                    + " ORDER BY id DESC LIMIT 1")) {
                assertThat(row.next()).isTrue();
                EventPayload payload = new EnvelopeOpener(new StubRsaKeyUnwrapper().with(KID, KEYS.getPrivate()))
                        .open(row.getString(2), row.getObject(1, UUID.class), role);
                assertThat(payload.password().reveal()).as("the change after the upgrade, captured and decryptable")
                        .isEqualTo("fourth-password-of-" + role);
            }
            assertThat(count(c, "SELECT count(*) FROM credsync.outbox")).isEqualTo(4);
        }

        CommandRun again = install(database);
        assertThat(again.out()).as(again.toString()).isEqualTo("credsync " + V + " (native extension) in database "
                + database + ": already installed\nnothing changed\n");
    }

    @Test
    void aDryRunOfTheUpgradeCountsExactlyTheChangesTheUpgradeMakes() throws Exception {
        String database = previousRelease("upgrade_dry");
        String consumer = RoleStatements.uniqueName("consumer");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            RoleStatements.createRoleWithoutPassword(c, consumer);
            // What install --consumer-role granted in the previous release.
            execute(c, "GRANT USAGE ON SCHEMA credsync TO " + consumer);
            execute(c, "GRANT SELECT ON credsync.outbox, credsync.delivery, credsync.encryption_key,"
                    + " credsync.managed_role TO " + consumer);
            execute(c, "GRANT INSERT ON credsync.delivery TO " + consumer);
            execute(c, "GRANT SELECT, INSERT, UPDATE, DELETE ON credsync.drift_check TO " + consumer);
            execute(c, "ALTER ROLE " + consumer + " REPLICATION");
        }

        CommandRun dryRun = install(database, "--dry-run", "--consumer-role", consumer);
        CommandRun run = install(database, "--consumer-role", consumer);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> planned = dryRun.out().lines().filter(l -> l.startsWith("would ")).map(l -> l.substring(6))
                .toList();
        List<String> made = run.out().lines().filter(l -> l.startsWith("updated ") || l.startsWith("granted "))
                .toList();
        assertThat(planned).as(dryRun + "\n" + run).hasSameSizeAs(made)
                .startsWith("update extension credsync from " + PREVIOUS + " to " + V);
    }

    @Test
    void theUpgradedSchemaIsExactlyWhatAFreshInstallMakes() throws Exception {
        String upgraded = previousRelease("upgraded");
        assertThat(install(upgraded).exitCode()).isZero();
        String fresh = "fresh_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        cluster.createDatabase(fresh);
        cluster.psql(fresh, "CREATE EXTENSION credsync CASCADE;");

        assertThat(fingerprint(upgraded)).as("credsync updated from " + PREVIOUS + " (left) against a fresh " + V
                + " (right): a difference is a delta missing from sql/updates").isEqualTo(fingerprint(fresh));
    }

    @Test
    void theUpdateThroughPgTleLeavesExactlyWhatAFreshPgTleInstallMakes() throws Exception {
        SchemaScript script = SchemaScript.fromClasspath();
        String upgraded = standInPgTleDatabase("tle_upgraded");
        cluster.psql(upgraded, fixture("credsync.sql") + fixture("adapter.sql"));
        cluster.psql(upgraded, script.pgTleUpdateScript(PREVIOUS, V));
        String fresh = standInPgTleDatabase("tle_fresh");
        cluster.psql(fresh, script.pgTleScript());

        assertThat(fingerprint(upgraded)).as("the pg_tle update from " + PREVIOUS + " (left) against a fresh pg_tle"
                + " install (right)").isEqualTo(fingerprint(fresh));
        try (Connection c = cluster.connectAsSuperuser(upgraded)) {
            assertThat(count(c, "SELECT count(*) FROM pgtle.feature_info")).as("the hook, registered once")
                    .isEqualTo(1);
        }
    }

    /** A new database with credsync {@value #PREVIOUS}... created from the fixture, a key and a pattern. */
    private String previousRelease(String prefix) throws Exception {
        String database = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        cluster.createDatabase(database);
        cluster.psql(database, "CREATE EXTENSION credsync VERSION '" + PREVIOUS + "' CASCADE;");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            execute(c, "SELECT credsync.add_key('" + KID + "', "
                    + RoleStatements.literal(c, RsaKeys.pem(KEYS.getPublic())) + ")");
            execute(c, "SELECT credsync.manage('upg\\_%')");
        }
        return database;
    }

    /**
     * A database with pgcrypto and a stand-in for the part of pg_tle's schema the adapter uses:
     * the password type, and feature registration, with pg_tle's signatures.
     */
    private String standInPgTleDatabase(String prefix) throws IOException, SQLException {
        String database = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        cluster.createDatabase(database);
        cluster.psql(database, "CREATE EXTENSION pgcrypto;\n" + resource("/pgtle-stand-in.sql"));
        return database;
    }

    private CommandRun install(String database, String... options) throws IOException {
        Path config = InstallCliSupport.superuserConfig(Files.createDirectories(dir.resolve(database)), cluster,
                database);
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        args.addAll(List.of(options));
        return CommandRun.of(new InstallCommand(), args.toArray(String[]::new));
    }

    private List<String> fingerprint(String database) throws IOException, SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = cluster.connectAsSuperuser(database); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery(resource("/upgrade/schema-fingerprint.sql"))) {
            while (rows.next()) {
                lines.add(rows.getString(1));
            }
        }
        assertThat(lines).as("the fingerprint of " + database).anyMatch(l -> l.startsWith("function credsync.capture("));
        return lines;
    }

    /** Every row of every table that holds history or configuration, as text. */
    private static List<String> history(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        for (String table : List.of("encryption_key", "managed_role", "outbox", "delivery")) {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT t::text FROM credsync." + table + " t ORDER BY 1")) {
                while (r.next()) {
                    rows.add(table + ": " + r.getString(1));
                }
            }
        }
        return rows;
    }

    private static String fixture(String name) throws IOException {
        return resource("/releases/" + PREVIOUS + "/" + name);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = UpgradeIT.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
