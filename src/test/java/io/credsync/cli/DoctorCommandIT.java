package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.install.SchemaScript;
import io.credsync.testing.ClusterOptions;
import io.credsync.testing.CredsyncDatabase.InstallMode;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * {@code credsync doctor} against real clusters, local-kms and moto: all well where credsync is
 * set up, failures with fixes where the server is not. Native or pg_tle
 * ({@code CREDSYNC_TEST_INSTALL}): where the checks differ by install, each mode's lines are
 * asserted.
 */
class DoctorCommandIT {

    @TempDir
    Path dir;

    @BeforeAll
    static void credentials() {
        InstallCliSupport.useEmulatorCredentials();
    }

    @Test
    void aWellSetUpDatabaseHasNoFailureWhenCheckedAsTheConsumerAndExitsZero() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("doctor")) {
            PostgresCluster cluster = fixture.database().postgres();
            String database = fixture.database().name();
            String consumer = RoleStatements.uniqueName("consumer");
            fixture.database().manage("doctor\\_%");
            String unverifiable = RoleStatements.uniqueName("doctor");
            try (Connection c = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(c, consumer, "consumer-password");
                RoleStatements.execute(c, "CREATE ROLE " + unverifiable + " NOLOGIN");
            }
            CommandRun grant = CommandRun.of(new InstallCommand(), "--config",
                    InstallCliSupport.superuserConfig(dir, cluster, database).toString(), "--consumer-role", consumer);
            assertThat(grant.exitCode()).as(grant.toString()).isZero();
            Path asConsumer = InstallCliSupport.config(dir, "consumer", cluster, database, consumer,
                    "consumer-password", fixture.slot(), LocalKms.shared().endpoint(), MotoServer.shared().endpoint(),
                    "doctor-" + consumer + "/");

            CommandRun run = CommandRun.of(new DoctorCommand(), "--config", asConsumer.toString());

            assertThat(run.exitCode()).as(run.toString()).isZero();
            List<String> lines = run.out().lines().toList();
            assertThat(lines).as(run.toString()).noneMatch(line -> line.startsWith("FAIL"))
                    .noneMatch(line -> line.startsWith("skip"))
                    .contains("ok    wal_level: logical");
            if (InstallMode.current() == InstallMode.NATIVE) {
                assertThat(lines).as(run.toString())
                        .anyMatch(line -> line.startsWith("ok    passcheck hook: credsync_passcheck loaded"))
                        .contains("ok    credsync_passcheck.enabled: on", "ok    credsync_passcheck.require: on")
                        .anyMatch(line -> line.startsWith("ok    credsync extension: " + SchemaScript.VERSION
                                + " (native extension)"))
                        .noneMatch(line -> line.startsWith("ok    pgtle"));
            } else {
                assertThat(lines).as(run.toString())
                        .anyMatch(line -> line.startsWith("ok    passcheck hook: pg_tle loaded"))
                        .contains("ok    pgtle.enable_password_check: require",
                                "ok    pg_tle passcheck registration: credsync.pgtle_passcheck is registered",
                                "ok    credsync extension: " + SchemaScript.VERSION + " (pg_tle), this credsync's version")
                        .anyMatch(line -> line.startsWith("ok    pgtle.passcheck_db_name: empty"))
                        .noneMatch(line -> line.startsWith("ok    credsync_passcheck"));
            }
            assertThat(lines).as(run.toString())
                    .contains("ok    publication: credsync_outbox publishes inserts into credsync.outbox")
                    .contains("WARN  replication slot: " + fixture.slot() + " does not exist yet")
                    .anyMatch(line -> line.startsWith("ok    consumer role: " + consumer + " can log in, stream"))
                    .anyMatch(line -> line.startsWith("ok    managed roles: 1 pattern (doctor\\_%)"))
                    .anyMatch(line -> line.startsWith("WARN  verifiable managed roles: 1 managed role(s) cannot be"
                            + " verified: " + unverifiable + " (no LOGIN); their changes will be recorded as failed"))
                    .contains("ok    active key: " + fixture.kmsKeyArn() + " (RSA_2048) matches KMS")
                    .anyMatch(line -> line.startsWith("ok    KMS decrypt: kms:Decrypt with " + fixture.kmsKeyArn()))
                    .anyMatch(line -> line.startsWith("ok    Secrets Manager access: DescribeSecret, GetSecretValue and"
                            + " PutSecretValue allowed on doctor-" + consumer + "/" + database
                            + "/credsync-doctor-probe-"))
                    .anyMatch(line -> line.startsWith("ok    managed roles' secrets: none of the "));
            assertThat(lines.get(lines.size() - 1)).matches("0 failed, \\d+ warned, of \\d+ checks");
            assertThat(MotoServer.shared().client().listSecrets().secretList())
                    .as("the probe wrote no secret")
                    .noneMatch(s -> s.name().contains("credsync-doctor-probe-"));
        }
    }

    @Test
    void withAutoRotateTheManagedRolesTheConsumersOwnAlterRoleCouldNotChangeAreListed() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("doctor_rotate")) {
            PostgresCluster cluster = fixture.database().postgres();
            String database = fixture.database().name();
            fixture.database().manage("docrot\\_%");
            String consumer = RoleStatements.uniqueName("consumer");
            String ordinary = RoleStatements.uniqueName("docrot");
            String superuser = RoleStatements.uniqueName("docrot_super");
            try (Connection c = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(c, consumer, "consumer-password");
                RoleStatements.execute(c, "CREATE ROLE " + ordinary + " LOGIN");
                RoleStatements.execute(c, "CREATE ROLE " + superuser + " LOGIN SUPERUSER");
            }
            CommandRun grant = CommandRun.of(new InstallCommand(), "--config",
                    InstallCliSupport.superuserConfig(dir, cluster, database).toString(), "--consumer-role", consumer);
            assertThat(grant.exitCode()).as(grant.toString()).isZero();
            Path config = InstallCliSupport.config(dir, "consumer", cluster, database, consumer, "consumer-password",
                    fixture.slot(), LocalKms.shared().endpoint(), MotoServer.shared().endpoint(), "docrot/");
            Files.writeString(config, Files.readString(config) + "\ndrift:\n  auto_rotate: true\n");

            assertThat(doctorLine(config, "drift.auto_rotate")).isEqualTo("FAIL  drift.auto_rotate: " + consumer
                    + " may not execute credsync.rotate, so the consumer refuses to start");

            try (Connection c = fixture.database().connectAsSuperuser()) {
                RoleStatements.execute(c, "GRANT EXECUTE ON FUNCTION credsync.rotate(text, integer, text) TO "
                        + consumer);
            }
            assertThat(doctorLine(config, "drift.auto_rotate")).isEqualTo("WARN  drift.auto_rotate: 2 managed role(s)"
                    + " that " + consumer + " may not rotate, since its own ALTER ROLE could not change their"
                    + " passwords: " + ordinary + ", " + superuser + "; their drift is reported but not fixed");

            try (Connection c = fixture.database().connectAsSuperuser()) {
                RoleStatements.execute(c, "ALTER ROLE " + consumer + " CREATEROLE");
            }
            // PostgreSQL 15: CREATEROLE covers the ordinary role; no superuser role is ever the consumer's to rotate.
            assertThat(doctorLine(config, "drift.auto_rotate")).isEqualTo("WARN  drift.auto_rotate: 1 managed role(s)"
                    + " that " + consumer + " may not rotate, since its own ALTER ROLE could not change their"
                    + " passwords: " + superuser + "; their drift is reported but not fixed");
        }
    }

    private static String doctorLine(Path config, String check) {
        CommandRun run = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        return run.out().lines().filter(line -> line.substring(Math.min(6, line.length())).startsWith(check + ":"))
                .findFirst().orElseThrow(() -> new AssertionError("no " + check + " line in " + run));
    }

    @Test
    void theManagedRolesWhoseSecretsWouldBeRefusedAreListedWithTheirFixesAndAllowedOnesAsAllowed() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("doctor_secrets")) {
            PostgresCluster cluster = fixture.database().postgres();
            String database = fixture.database().name();
            fixture.database().manage("docsec\\_%");
            String deleted = RoleStatements.uniqueName("docsec_deleted");
            String owned = RoleStatements.uniqueName("docsec_owned");
            String rotated = RoleStatements.uniqueName("docsec_rotated");
            String allowed = RoleStatements.uniqueName("docsec_allowed");
            String fresh = RoleStatements.uniqueName("docsec_fresh");
            try (Connection c = fixture.database().connectAsSuperuser()) {
                for (String role : List.of(deleted, owned, rotated, allowed, fresh)) {
                    RoleStatements.createRoleWithoutPassword(c, role);
                }
            }
            String prefix = "doctor-secrets-" + deleted + "/";
            Path config = InstallCliSupport.config(dir, "secrets", cluster, database, cluster.superuser(),
                    cluster.superuserPassword(), fixture.slot(), LocalKms.shared().endpoint(),
                    MotoServer.shared().endpoint(), prefix);
            Files.writeString(config, Files.readString(config).replace("  prefix: " + prefix + "\n",
                    "  prefix: " + prefix + "\n  allow_conflicting_roles: [" + allowed + "]\n"));
            SecretsManagerClient moto = MotoServer.shared().client();
            String base = prefix + database + "/";
            moto.createSecret(r -> r.name(base + deleted).secretString("{}"));
            moto.deleteSecret(r -> r.secretId(base + deleted).recoveryWindowInDays(7L));
            // moto takes OwningService from this tag; real Secrets Manager reserves aws: tags for AWS.
            Tag rds = Tag.builder().key("aws:secretsmanager:owningService").value("rds").build();
            moto.createSecret(r -> r.name(base + owned).secretString("{}").tags(rds));
            moto.createSecret(r -> r.name(base + allowed).secretString("{}").tags(rds));
            moto.createSecret(r -> r.name(base + rotated).secretString("{}"));
            moto.rotateSecret(r -> r.secretId(base + rotated).rotationRules(rules -> rules.automaticallyAfterDays(30L))
                    .rotateImmediately(false));

            CommandRun run = CommandRun.of(new DoctorCommand(), "--config", config.toString());

            String warning = run.out().lines().filter(line -> line.startsWith("WARN  managed roles' secrets: "))
                    .findFirst().orElseThrow(() -> new AssertionError(run.toString()));
            assertThat(warning).as(run.toString())
                    .startsWith("WARN  managed roles' secrets: 3 managed role(s) cannot have their secret written,"
                            + " so their password changes will be recorded as failed: ")
                    .contains(deleted + ": secret " + base + deleted + " is scheduled for deletion on ",
                            owned + ": secret " + base + owned + " is owned by rds",
                            rotated + ": secret " + base + rotated + " has rotation enabled",
                            "; written all the same, as secrets.allow_conflicting_roles lists them: " + allowed
                                    + " (secret " + base + allowed + " is owned by rds")
                    .doesNotContain(fresh);
            String fix = run.out().lines().dropWhile(line -> !line.equals(warning)).skip(1).findFirst().orElseThrow();
            assertThat(fix).startsWith("      fix: ").contains(
                    deleted + ": restore it with `aws secretsmanager restore-secret --secret-id " + base + deleted + "`",
                    owned + ": give role " + owned + " a secret of its own (secrets.overrides)",
                    rotated + ": turn rotation off (`aws secretsmanager cancel-rotate-secret --secret-id " + base
                            + rotated + "`)");
            assertThat(moto.listSecretVersionIds(r -> r.secretId(base + owned)).versions())
                    .as("doctor wrote nothing").hasSize(1);
        }
    }

    @Test
    void aClusterWithoutTheHookAndWithoutLogicalWalFailsWithFixesAndExitsOne() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start(ClusterOptions.defaults()
                .withPreloadLibraries("")
                .withSetting("wal_level", "replica"))) {
            cluster.createDatabase("app");
            Path config = InstallCliSupport.config(dir, "superuser", cluster, "app", cluster.superuser(),
                    cluster.superuserPassword(), "credsync", LocalKms.shared().endpoint(),
                    MotoServer.shared().endpoint(), "credsync/");

            CommandRun refused = CommandRun.of(new InstallCommand(), "--config", config.toString());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("neither credsync_passcheck nor pg_tle is in shared_preload_libraries");
            if (InstallMode.current() == InstallMode.PGTLE) {
                // The rest installs the native extension anyway (--kind native), whose files a pg_tle
                // server lacks, and pg_tle cannot be created unless preloaded: so only doctor's view
                // of the bare server is checked here.
                assertThat(refused.err()).contains("install: nothing was changed")
                        .doesNotContain("pass --kind native");
                CommandRun bare = CommandRun.of(new DoctorCommand(), "--config", config.toString());
                assertThat(bare.exitCode()).as(bare.toString()).isEqualTo(1);
                assertThat(bare.out()).as(bare.toString()).contains(
                        "FAIL  wal_level: replica: logical replication is off, so no consumer can stream\n")
                        .containsPattern("(?m)^FAIL  passcheck hook: ");
                return;
            }
            assertThat(refused.err()).contains("pass --kind native to install now");

            CommandRun forced = CommandRun.of(new InstallCommand(), "--config", config.toString(), "--kind", "native");
            assertThat(forced.exitCode()).as(forced.toString()).isZero();
            assertThat(forced.out()).contains("note: credsync_passcheck is not in shared_preload_libraries");

            CommandRun run = CommandRun.of(new DoctorCommand(), "--config", config.toString());

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).as(run.toString()).contains(
                    "FAIL  wal_level: replica: logical replication is off, so no consumer can stream\n"
                            + "      fix: set wal_level = logical in postgresql.conf and restart PostgreSQL\n",
                    "FAIL  passcheck hook: credsync_passcheck is not preloaded, so no password change is captured\n"
                            + "      fix: add credsync_passcheck to shared_preload_libraries in postgresql.conf,"
                            + " then restart\n",
                    "skip  credsync_passcheck.enabled: credsync_passcheck is not loaded\n",
                    "WARN  consumer role: postgres is a superuser",
                    "FAIL  active key: no active key: every password change of a managed role fails\n"
                            + "      fix: credsync keys add --kms-key KEY\n",
                    "skip  KMS decrypt: no active key\n",
                    "WARN  managed roles: none: no password change is recorded\n");
            assertThat(run.out().lines().reduce((a, b) -> b).orElseThrow()).matches("3 failed, \\d+ warned, of \\d+ checks");
        }
    }
}
