package io.credsync.cli;

import static io.credsync.testing.Jdbc.execute;
import static io.credsync.testing.Jdbc.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.credsync.testing.CredsyncDatabase;
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

/**
 * One installation covers the cluster, native or pg_tle ({@code CREDSYNC_TEST_INSTALL}):
 * {@code credsync install} reaches every database and template1, a database created afterwards
 * starts covered, keys and managed patterns are defined once in the home database, and doctor
 * names a database that is not covered. Where the installs differ, a test says which it is for:
 * only the native module reads the cluster-wide copy of the patterns, so only there does a
 * pattern apply everywhere at once and an unmanaged role pass in a database without credsync; on
 * pg_tle (with {@code require}, as the test clusters and RDS set it) patterns reach the other
 * databases through install, and pg_tle itself refuses every password in a database without it.
 * On a cluster of its own, since the test installs into every database.
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
        cluster = PostgresCluster.start(CredsyncDatabase.clusterOptions());
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
        assumeThat(InstallMode.current()).as("the native module reads the cluster-wide copy of the patterns;"
                + " pg_tle has no module to read it (see the pg_tle variant below)").isEqualTo(InstallMode.NATIVE);
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
    void onPgTleAPatternAddedInTheHomeDatabaseReachesTheOthersAtTheNextInstallAndDoctorFailsUntilThen()
            throws Exception {
        assumeThat(InstallMode.current()).as("pg_tle; the native module applies a pattern everywhere at once")
                .isEqualTo(InstallMode.PGTLE);
        assertThat(install().exitCode()).isZero();
        String role = RoleStatements.uniqueName("later");
        try (Connection app = cluster.connectAsSuperuser(APP)) {
            RoleStatements.createRole(app, role, SecretScan.password("before-it-is-managed"));
        }
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            execute(home, "SELECT credsync.manage('later\\_%')");
        }
        try {
            try (Connection app = cluster.connectAsSuperuser(APP)) {
                RoleStatements.alterPassword(app, role, SecretScan.password("before-the-install"));
                assertThat(single(app, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + role + "'"))
                        .as("appdb does not know the pattern yet").isEqualTo("0");
            }
            CommandRun doctor = CommandRun.of(new DoctorCommand(), "--config", config.toString());
            assertThat(doctor.out()).as(doctor.toString())
                    .contains("FAIL  databases covered: keys or managed patterns differ from the home database "
                            + HOME + ": ")
                    .contains(APP + " (")
                    .contains("credsync install");

            CommandRun copy = install();
            assertThat(copy.exitCode()).as(copy.toString()).isZero();
            assertThat(copy.out()).contains("database " + APP + ": manage later\\_%\n");
            try (Connection app = cluster.connectAsSuperuser(APP)) {
                RoleStatements.alterPassword(app, role, SecretScan.password("after-the-install"));
                assertThat(single(app, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + role + "'"))
                        .as("captured in appdb once install copied the pattern").isEqualTo("1");
            }
        } finally {
            try (Connection home = cluster.connectAsSuperuser(HOME)) {
                execute(home, "SELECT credsync.unmanage('later\\_%')");
            }
            install();
        }
    }

    @Test
    void inADatabaseWithoutCredsyncOnlyAManagedRolesChangeIsRefusedAndDoctorNamesIt() throws Exception {
        assumeThat(InstallMode.current()).as("the native module decides alone in a database without credsync;"
                + " on pg_tle, pg_tle's require refuses every password there (the pg_tle variant below)")
                .isEqualTo(InstallMode.NATIVE);
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

    @Test
    void onPgTleADatabaseWithoutPgTleRefusesEveryPasswordUntilInstallCoversItAndDoctorNamesIt() throws Exception {
        assumeThat(InstallMode.current()).as("pg_tle; the native variant is above").isEqualTo(InstallMode.PGTLE);
        assertThat(install().exitCode()).isZero();
        String bare = "from_template0_" + ProcessHandle.current().pid();
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            execute(home, "CREATE DATABASE " + bare + " TEMPLATE template0");
        }
        String managed = RoleStatements.uniqueName("clu");
        String unmanaged = RoleStatements.uniqueName("other");
        try (Connection home = cluster.connectAsSuperuser(HOME)) {
            RoleStatements.createRole(home, managed, SecretScan.password("managed-first"));
            RoleStatements.createRole(home, unmanaged, SecretScan.password("unmanaged-first"));
        }
        try (Connection c = cluster.connectAsSuperuser(bare)) {
            // pg_tle's require, not credsync: no passcheck hook can run in a database without pg_tle.
            assertThatThrownBy(() -> RoleStatements.alterPassword(c, unmanaged, SecretScan.password("refused-1")))
                    .isInstanceOf(PSQLException.class);
            assertThatThrownBy(() -> RoleStatements.alterPassword(c, managed, SecretScan.password("refused-2")))
                    .isInstanceOf(PSQLException.class);
        }

        CommandRun doctor = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        assertThat(doctor.out()).as(doctor.toString())
                .contains("FAIL  databases covered: not covered, so a managed role's password change there is refused"
                        + " or, with another passcheck hook, passes unrecorded: " + bare + " (no pg_tle)")
                .contains("credsync install");

        assertThat(install().exitCode()).isZero();
        CommandRun after = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        assertThat(after.out()).as(after.toString()).containsPattern("ok    databases covered: \\d+ databases \\(");
        try (Connection c = cluster.connectAsSuperuser(bare)) {
            RoleStatements.alterPassword(c, unmanaged, SecretScan.password("unmanaged-once-covered"));
            RoleStatements.alterPassword(c, managed, SecretScan.password("recorded-once-covered"));
            assertThat(single(c, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + managed + "'"))
                    .isEqualTo("1");
            assertThat(single(c, "SELECT count(*) FROM credsync.outbox WHERE role_name = '" + unmanaged + "'"))
                    .isEqualTo("0");
        }
    }
}
