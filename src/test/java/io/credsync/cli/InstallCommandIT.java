package io.credsync.cli;

import static io.credsync.testing.Jdbc.count;
import static io.credsync.testing.Jdbc.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.install.SchemaScript;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code credsync install} against a real cluster (credsync_passcheck preloaded, the native
 * extension's files installed), on databases where credsync is not installed yet.
 */
class InstallCommandIT {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String V = SchemaScript.VERSION;

    @TempDir
    Path dir;

    private PostgresCluster cluster;
    private String database;
    private Path superuserConfig;

    @BeforeEach
    void freshDatabaseWithoutCredsync() throws Exception {
        cluster = PostgresCluster.shared();
        database = "install_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        cluster.createDatabase(database);
        superuserConfig = InstallCliSupport.superuserConfig(dir, cluster, database);
    }

    private CommandRun install(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = superuserConfig.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandRun.of(new InstallCommand(), all);
    }

    @Test
    void installsIntoAFreshDatabaseSoThatACreatedManagedRoleIsRecorded() throws Exception {
        CommandRun run = install();

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("created extension credsync " + V + " (native) with pgcrypto\n"
                + "done: 1 change committed\n");
        String role = RoleStatements.uniqueName("inst");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            execute(c, "SELECT credsync.add_key('arn:aws:kms:us-east-1:111122223333:key/install', "
                    + RoleStatements.literal(c, RsaKeys.pem(RsaKeys.pair(2048).getPublic())) + ")");
            execute(c, "SELECT credsync.manage('inst\\_%')");
            RoleStatements.createRole(c, role, "first-password-of-" + role);

            assertThat(count(c, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + role + "'"))
                    .as("the CREATE ROLE's event").isEqualTo(1);
        }
    }

    @Test
    void aSecondRunChangesNothingAndSaysSo() {
        assertThat(install().exitCode()).isZero();

        CommandRun again = install();

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo("credsync " + V + " (native extension) in database " + database
                + ": already installed\nnothing changed\n");
    }

    @Test
    void theConsumerRoleGetsWhatItNeedsAndALoginAsItCanReadTheOutboxAndRecordADelivery() throws Exception {
        assertThat(install().exitCode()).isZero();
        String consumer = RoleStatements.uniqueName("consumer");
        String managed = RoleStatements.uniqueName("inst");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            RoleStatements.createRole(c, consumer, "consumer-password");
            execute(c, "SELECT credsync.add_key('arn:aws:kms:us-east-1:111122223333:key/grants', "
                    + RoleStatements.literal(c, RsaKeys.pem(RsaKeys.pair(2048).getPublic())) + ")");
            execute(c, "SELECT credsync.manage('inst\\_%')");
            RoleStatements.createRole(c, managed, "password-of-" + managed);
        }

        CommandRun run = install("--consumer-role", consumer);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("credsync " + V + " (native extension) in database " + database
                + ": already installed\n"
                + "granted USAGE ON SCHEMA credsync TO " + consumer + "\n"
                + "granted SELECT ON credsync.outbox TO " + consumer + "\n"
                + "granted SELECT ON credsync.delivery TO " + consumer + "\n"
                + "granted INSERT ON credsync.delivery TO " + consumer + "\n"
                + "granted SELECT, INSERT, UPDATE, DELETE ON credsync.drift_check TO " + consumer + "\n"
                + "granted SELECT ON credsync.encryption_key TO " + consumer + "\n"
                + "granted SELECT ON credsync.managed_role TO " + consumer + "\n"
                + "granted SELECT ON credsync.failed_event TO " + consumer + "\n"
                + "granted SELECT ON credsync.released_database TO " + consumer + "\n"
                + "gave " + consumer + " the REPLICATION attribute\n"
                + "done: 10 changes committed\n");

        try (Connection c = cluster.connect(database, consumer, "consumer-password")) {
            long outboxId;
            try (Statement s = c.createStatement();
                    ResultSet row = s.executeQuery("SELECT id FROM credsync.outbox WHERE role_name = '" + managed + "'")) {
                assertThat(row.next()).as("the consumer reads the outbox").isTrue();
                outboxId = row.getLong(1);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO credsync.delivery"
                    + " (outbox_id, event_id, role_name, status) SELECT id, event_id, role_name, 'synced'"
                    + " FROM credsync.outbox WHERE id = ? ON CONFLICT (outbox_id) DO NOTHING")) {
                insert.setLong(1, outboxId);
                assertThat(insert.executeUpdate()).as("the consumer records the delivery").isEqualTo(1);
            }
            execute(c, "INSERT INTO credsync.drift_check (role_name, state) VALUES ('" + managed + "', 'in_sync')"
                    + " ON CONFLICT (role_name) DO UPDATE SET state = excluded.state");
            assertThat(count(c, "SELECT count(*) FROM credsync.drift_check")).as("it records drift checks")
                    .isEqualTo(1);
            execute(c, "DELETE FROM credsync.drift_check");
            assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND rolreplication"))
                    .as("it may stream from a slot").isEqualTo(1);
            assertThatThrownBy(() -> execute(c, "SELECT credsync.manage('%')"))
                    .as("but it may not change what is managed")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }

        CommandRun again = install("--consumer-role", consumer);
        assertThat(again.out()).as(again.toString()).contains(
                "role " + consumer + " already has every privilege the consumer needs\nnothing changed\n");
    }

    @Test
    void aDryRunPrintsThePlanAndChangesNothing() throws Exception {
        String consumer = RoleStatements.uniqueName("consumer");
        try (Connection c = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRoleWithoutPassword(c, consumer);
        }

        CommandRun run = install("--dry-run", "--consumer-role", consumer);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("would create extension credsync " + V + " (native) with pgcrypto\n"
                        + "would grant USAGE ON SCHEMA credsync TO " + consumer + "\n")
                .contains("would give " + consumer + " the REPLICATION attribute\n")
                .endsWith("dry run: 11 changes planned, none made\n");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            assertThat(count(c, "SELECT count(*) FROM pg_extension WHERE extname = 'credsync'")).isZero();
            assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname = '" + consumer + "' AND rolreplication"))
                    .isZero();
        }
    }

    @Test
    void aDryRunCountsExactlyTheChangesTheRunThenMakes() throws Exception {
        String consumer = RoleStatements.uniqueName("consumer");
        try (Connection c = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRoleWithoutPassword(c, consumer);
        }

        CommandRun dryRun = install("--dry-run", "--consumer-role", consumer);
        CommandRun run = install("--consumer-role", consumer);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        long planned = dryRun.out().lines().filter(line -> line.startsWith("would ")).count();
        long made = run.out().lines().filter(line -> line.startsWith("created ") || line.startsWith("granted ")
                || line.startsWith("gave ")).count();
        assertThat(planned).as(dryRun + "\n" + run).isEqualTo(made);
        assertThat(dryRun.out()).endsWith("dry run: " + made + " changes planned, none made\n");
        assertThat(run.out()).endsWith("done: " + made + " changes committed\n");
    }

    @Test
    void aConsumerRoleThatDoesNotExistFailsTheWholeInstallWhichChangesNothing() throws Exception {
        CommandRun run = install("--consumer-role", "no_such_role_anywhere");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).as("nothing printed was rolled back").isEmpty();
        assertThat(run.err()).contains("install: role no_such_role_anywhere does not exist: create it first",
                "install: nothing was changed");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            assertThat(count(c, "SELECT count(*) FROM pg_extension WHERE extname = 'credsync'"))
                    .as("the extension created before the failure was rolled back").isZero();
        }
    }

    @Test
    void theWrongKindIsRefusedNamingWhatIsThere() {
        assertThat(install().exitCode()).isZero();

        CommandRun run = install("--kind", "pgtle");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is installed in database " + database + " as a native extension, not through pg_tle");
    }
}
