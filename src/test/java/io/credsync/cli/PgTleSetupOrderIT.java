package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.credsync.testing.ClusterOptions;
import io.credsync.testing.CredsyncDatabase.InstallMode;
import io.credsync.testing.Jdbc;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SecretScan;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's RDS set-up order, on a pg_tle server that starts with
 * {@code pgtle.enable_password_check = require}: install, then CREATE ROLE for the consumer, then
 * install --consumer-role. Before the install no password can be set in any database (pg_tle's
 * require, not credsync's), which is why the order is what it is. Run with
 * {@code CREDSYNC_TEST_INSTALL=pgtle}.
 */
class PgTleSetupOrderIT {

    @TempDir
    Path dir;

    private PostgresCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theDocumentedOrderWorksAndCoversADatabaseCreatedAfterIt() throws Exception {
        assumeThat(InstallMode.current()).as("a server with pg_tle").isEqualTo(InstallMode.PGTLE);
        cluster = PostgresCluster.start(ClusterOptions.defaults().withPreloadLibraries("pg_tle")
                .withSetting("pgtle.enable_password_check", "require"));
        Path config = InstallCliSupport.wholeClusterConfig(dir, cluster, "postgres");
        String consumer = RoleStatements.uniqueName("consumer");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            assertThatThrownBy(() -> RoleStatements.createRole(postgres, consumer,
                    SecretScan.password("too-early-" + consumer)))
                    .as("pg_tle's require refuses every password before pg_tle is in the database")
                    .isInstanceOf(SQLException.class);
        }

        CommandRun install = CommandRun.of(new InstallCommand(), "--config", config.toString());
        assertThat(install.exitCode()).as(install.toString()).isZero();
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRole(postgres, consumer, SecretScan.password("consumer-" + consumer));
        }
        CommandRun grant = CommandRun.of(new InstallCommand(), "--config", config.toString(), "--consumer-role",
                consumer);
        assertThat(grant.exitCode()).as(grant.toString()).isZero();
        assertThat(grant.out()).contains("gave " + consumer);

        cluster.createDatabase("created_after");
        String other = RoleStatements.uniqueName("other");
        try (Connection later = cluster.connectAsSuperuser("created_after")) {
            RoleStatements.createRole(later, other, SecretScan.password("set-in-a-later-database"));
        }
        try (Connection login = cluster.connect("created_after", other, "set-in-a-later-database")) {
            assertThat(login.isValid(5)).as("template1 gave the new database pg_tle and credsync's hook").isTrue();
        }
    }

    @Test
    void doctorNamesADatabaseWithPgTleButNotCredsyncAlsoWhenPasscheckDbNamePointsThere() throws Exception {
        assumeThat(InstallMode.current()).as("a server with pg_tle").isEqualTo(InstallMode.PGTLE);
        cluster = PostgresCluster.start(ClusterOptions.defaults().withPreloadLibraries("pg_tle")
                .withSetting("pgtle.enable_password_check", "require"));
        Path config = InstallCliSupport.wholeClusterConfig(dir, cluster, "postgres");
        assertThat(CommandRun.of(new InstallCommand(), "--config", config.toString()).exitCode()).isZero();
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.execute(postgres, "CREATE DATABASE hookless TEMPLATE template0");
        }
        try (Connection hookless = cluster.connectAsSuperuser("hookless")) {
            RoleStatements.execute(hookless, "CREATE EXTENSION pg_tle");
        }

        CommandRun doctor = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        assertThat(doctor.out()).as(doctor.toString())
                .contains("FAIL  databases covered: not covered, so a managed role's password change there is refused"
                        + " or, with another passcheck hook, passes unrecorded: hookless (no credsync)");

        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.execute(postgres, "ALTER SYSTEM SET pgtle.passcheck_db_name = 'hookless'");
            RoleStatements.execute(postgres, "SELECT pg_reload_conf()");
            Jdbc.awaitSetting(postgres, "pgtle.passcheck_db_name", "hookless");
        }
        CommandRun named = CommandRun.of(new DoctorCommand(), "--config", config.toString());
        assertThat(named.out()).as(named.toString()).contains("FAIL  pgtle.passcheck_db_name: 'hookless': pg_tle runs"
                + " the passcheck hooks of that database only, and credsync's is not there (no credsync)");
    }
}
