package io.credsync.cli;

import static io.credsync.testing.Jdbc.execute;
import static io.credsync.testing.Jdbc.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.testing.ClusterOptions;
import io.credsync.testing.CredsyncDatabase.InstallMode;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * One installation covers the cluster (native install): {@code credsync install} reaches every
 * database and template1, a database created afterwards starts covered, keys and managed
 * patterns are defined once in the home database, an unmanaged role is never refused anywhere,
 * and doctor names a database that is not covered. On a cluster of its own, since the test
 * installs into every database.
 */
class ClusterCoverageIT {

    private static final String HOME = "postgres";
    private static final String APP = "appdb";
    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/cluster";

    @TempDir
    static Path dir;

    private static PostgresCluster cluster;
    private static Path config;
    /** The install run after the key and pattern were defined in the home database. */
    private static CommandRun copying;

    @BeforeAll
    static void installIntoAClusterWithTwoDatabases() throws Exception {
        assumeThat(InstallMode.current()).as("the native install; pg_tle is measured by hand (docs/cluster.md)")
                .isEqualTo(InstallMode.NATIVE);
        cluster = PostgresCluster.start(ClusterOptions.defaults());
        cluster.createDatabase(APP);
        config = InstallCliSupport.wholeClusterConfig(dir, cluster, HOME);
        CommandRun first = install();
        assertThat(first.exitCode()).as(first.toString()).isZero();
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            execute(home, "SELECT credsync.add_key('" + KID + "', "
                    + RoleStatements.literal(home, RsaKeys.pem(RsaKeys.pair(2048).getPublic())) + ")");
            execute(home, "SELECT credsync.manage('clu\\_%')");
        }
        copying = install();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static CommandRun install(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandRun.of(new InstallCommand(), all);
    }

    @Test
    void installCoversEveryDatabaseTemplate1IncludedAndCopiesTheHomesKeysAndPatterns() throws Exception {
        assertThat(copying.exitCode()).as(copying.toString()).isZero();
        assertThat(copying.out()).contains("database " + APP + ": add key " + KID + "\n",
                "database " + APP + ": manage clu\\_%\n", "database template1: add key " + KID + "\n");
        for (String database : List.of(HOME, APP, "template1")) {
            try (Connection c = cluster.connectAsSuperuser(database)) {
                assertThat(single(c, "SELECT kid FROM credsync.encryption_key WHERE active")).as(database).isEqualTo(KID);
                assertThat(single(c, "SELECT string_agg(pattern, ',') FROM credsync.managed_role")).as(database)
                        .isEqualTo("clu\\_%");
            }
        }
        CommandRun third = install();
        assertThat(third.out()).as("a third run copies nothing").doesNotContain(": add key", ": manage ");
    }

    @Test
    void aManagedRoleChangedFromAnyDatabaseIsRecordedThereAndARolledBackChangeIsNot() throws Exception {
        assertThat(install().exitCode()).isZero();
        String later = "created_later_" + ProcessHandle.current().pid();
        cluster.createDatabase(later);
        String role = RoleStatements.uniqueName("clu");
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            RoleStatements.createRole(home, role, SecretScan.password("created-in-home"));
        }
        for (String database : List.of(HOME, APP, later)) {
            try (Connection c = cluster.connectAsSuperuser(database)) {
                RoleStatements.alterPassword(c, role, SecretScan.password("changed-from-" + database));
                c.setAutoCommit(false);
                RoleStatements.alterPassword(c, role, SecretScan.password("rolled-back-in-" + database));
                c.rollback();
                c.setAutoCommit(true);
                assertThat(single(c, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + role + "'"))
                        .as("the change made from " + database + " is in its own outbox; the rolled-back one is not")
                        .isEqualTo(database.equals(HOME) ? "2" : "1");
            }
        }
        try (Connection login = cluster.connect(later, role, "changed-from-" + later)) {
            assertThat(login.isValid(5)).as("the last committed password logs in").isTrue();
        }
    }

    @Test
    void aPatternAddedInTheHomeDatabaseAppliesAtOnceInEveryDatabase() throws Exception {
        assertThat(install().exitCode()).isZero();
        String role = RoleStatements.uniqueName("soon");
        try (Connection app = cluster.connectAsSuperuser(APP)) {
            RoleStatements.createRole(app, role, SecretScan.password("before-it-is-managed"));
        }
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            execute(home, "SELECT credsync.manage('soon\\_%')");
        }
        try (Connection app = cluster.connectAsSuperuser(APP)) {
            RoleStatements.alterPassword(app, role, SecretScan.password("once-it-is-managed"));
            assertThat(single(app, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + role + "'"))
                    .as("captured in appdb through the cluster-wide list, before install copies the pattern")
                    .isEqualTo("1");
        } finally {
            try (Connection home = cluster.connectAsSuperuser(HOME)) {
                execute(home, "SELECT credsync.unmanage('soon\\_%')");
            }
        }
    }

    @Test
    void inADatabaseWithoutCredsyncOnlyAManagedRolesChangeIsRefusedAndDoctorNamesIt() throws Exception {
        assertThat(install().exitCode()).isZero();
        String bare = "from_template0_" + ProcessHandle.current().pid();
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            execute(home, "CREATE DATABASE " + bare + " TEMPLATE template0");
        }
        String managed = RoleStatements.uniqueName("clu");
        String unmanaged = RoleStatements.uniqueName("other");
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            RoleStatements.createRole(home, managed, SecretScan.password("managed-first"));
        }
        try (Connection c = cluster.connectAsSuperuser(bare)) {
            RoleStatements.createRole(c, unmanaged, SecretScan.password("unmanaged-created"));
            RoleStatements.alterPassword(c, unmanaged, SecretScan.password("unmanaged-changed"));
            assertThatThrownBy(() -> RoleStatements.alterPassword(c, managed, SecretScan.password("unrecordable")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getServerErrorMessage().getMessage())
                            .isEqualTo("credsync is not installed in database \"" + bare + "\""));
        }

        CommandRun doctor = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        assertThat(doctor.out()).as(doctor.toString())
                .contains("FAIL  databases covered: not covered, so a managed role's password change there is refused: "
                        + bare + " (no credsync)")
                .contains("credsync install");

        assertThat(install().exitCode()).isZero();
        CommandRun after = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        assertThat(after.out()).as(after.toString()).containsPattern("ok    databases covered: \\d+ databases \\(");
        try (Connection c = cluster.connectAsSuperuser(bare)) {
            RoleStatements.alterPassword(c, managed, SecretScan.password("recorded-once-covered"));
            assertThat(single(c, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + managed + "'"))
                    .isEqualTo("1");
        }
    }
}
