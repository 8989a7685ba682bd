package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.CoveredCluster;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One consumer for the whole cluster: a managed role's password changed from any database, one
 * created after the consumer started among them, reaches the role's one secret, and the secret
 * ends with the password that committed last, also when two databases change it at once and when
 * the consumer is killed in between. The oracle throughout: the secret logs in with the password
 * in force. On a cluster of its own, with credsync installed by `credsync install` into every
 * database, the fixture's being the home one; native or pg_tle ({@code CREDSYNC_TEST_INSTALL}),
 * the behaviour being the same.
 */
class ClusterSyncIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);

    private final OutputWatch outputs = new OutputWatch();
    private CoveredCluster covered;
    private PostgresCluster cluster;
    private SyncFixture fixture;

    @BeforeEach
    void installIntoEveryDatabase() throws Exception {
        // Two sessions changing one role's password at once can fail with "tuple concurrently
        // updated" (PostgreSQL's own ALTER ROLE), and the server would log the failed statement,
        // password and all: not credsync's doing, so that log line is switched off here.
        covered = CoveredCluster.install(CredsyncDatabase.clusterOptions()
                .withSetting("log_min_error_statement", "panic"), outputs, "cs\\_%", "appdb");
        cluster = covered.cluster();
        fixture = covered.fixture();
        assertThat(covered.installOutput()).contains("database appdb: manage cs\\_%", "database postgres: manage cs\\_%",
                "database template1: manage cs\\_%");
    }

    @AfterEach
    void consumerOutputHoldsNoPassword() throws SQLException {
        if (covered != null) {
            covered.close();
        }
    }

    @Test
    void shouldSyncChangesFromEveryDatabaseIncludingOneCreatedLaterAndNeverAnUnmanagedOrRolledBackOne()
            throws Exception {
        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("cs");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRole(postgres, role, outputs.password("created-in-postgres"));
        }
        assertLogsIn(fixture.awaitSecretPassword(role, "created-in-postgres", SYNC_TIMEOUT));

        try (Connection app = cluster.connectAsSuperuser("appdb")) {
            RoleStatements.alterPassword(app, role, outputs.password("changed-in-appdb"));
            app.setAutoCommit(false);
            RoleStatements.alterPassword(app, role, outputs.password("rolled-back-in-appdb"));
            app.rollback();
            app.setAutoCommit(true);
        }
        assertLogsIn(fixture.awaitSecretPassword(role, "changed-in-appdb", SYNC_TIMEOUT));

        String later = "created_later";
        cluster.createDatabase(later);
        try (Connection created = cluster.connectAsSuperuser(later)) {
            RoleStatements.alterPassword(created, role, outputs.password("changed-in-a-database-created-later"));
        }
        assertLogsIn(fixture.awaitSecretPassword(role, "changed-in-a-database-created-later", SYNC_TIMEOUT));

        String unmanaged = RoleStatements.uniqueName("free");
        for (String database : List.of("postgres", fixture.database().name(), "appdb", later)) {
            try (Connection c = cluster.connectAsSuperuser(database)) {
                if (database.equals("postgres")) {
                    RoleStatements.createRole(c, unmanaged, outputs.password("unmanaged-" + database));
                } else {
                    RoleStatements.alterPassword(c, unmanaged, outputs.password("unmanaged-" + database));
                }
            }
        }
        assertThat(fixture.secret(unmanaged)).as("an unmanaged role has no secret").isEmpty();
        assertThat(fixture.secret(role).orElseThrow().path("password").asText())
                .isEqualTo("changed-in-a-database-created-later");
        assertThat(consumer.isAlive()).isTrue();

        SyncFixture.CliRun status = fixture.runCli("status");
        assertThat(status.output()).as("a section per database, each with its slot")
                .contains("credsync status of database " + fixture.database().name(),
                        "credsync status of database appdb", "credsync status of database postgres",
                        "credsync status of database " + later, "Replication slot " + fixture.slot() + "_");
    }

    @Test
    void shouldVerifyInTheDatabaseTheSecretNamesSoARoleKeptOutOfTheOneItsPasswordChangedInStillSyncs()
            throws Exception {
        outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("cs");
        try (Connection app = cluster.connectAsSuperuser("appdb")) {
            // The role may log in to the home database (its secret's dbname) but not to appdb.
            RoleStatements.execute(app, "REVOKE CONNECT ON DATABASE appdb FROM PUBLIC");
            RoleStatements.createRole(app, role, outputs.password("created-in-appdb"));
        }
        assertLogsIn(fixture.awaitSecretPassword(role, "created-in-appdb", SYNC_TIMEOUT));
        try (Connection app = cluster.connectAsSuperuser("appdb")) {
            RoleStatements.alterPassword(app, role, outputs.password("changed-in-appdb"));
        }
        JsonNode secret = fixture.awaitSecretPassword(role, "changed-in-appdb", SYNC_TIMEOUT);
        assertThat(secret.path("dbname").asText()).isEqualTo(fixture.database().name());
        assertLogsIn(secret);
    }

    @Test
    void shouldEndWithTheLastCommittedPasswordWhenTwoDatabasesChangeOneRoleAtOnceAndTheConsumerIsKilled()
            throws Exception {
        ConsumerProcess first = outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("cs");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRole(postgres, role, outputs.password("first-of-" + role));
        }
        fixture.awaitSecretPassword(role, "first-of-" + role, SYNC_TIMEOUT);

        List<Thread> writers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (String database : List.of("postgres", "appdb")) {
            Thread writer = new Thread(() -> {
                try (Connection c = cluster.connectAsSuperuser(database)) {
                    for (int i = 0; i < 40; i++) {
                        String password = outputs.password(database + "-change-" + i);
                        while (!changed(c, role, password)) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "changes-from-" + database);
            writers.add(writer);
            writer.start();
        }
        Thread.sleep(300);
        first.kill();
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(failure.get()).isNull();

        fixture.startConsumer();
        String inForce = passwordInForce(role);
        assertLogsIn(fixture.awaitSecretPassword(role, inForce, SYNC_TIMEOUT));
    }

    /** False when PostgreSQL refused the change because the other session's was in the way. */
    private static boolean changed(Connection c, String role, String password) throws SQLException {
        try {
            RoleStatements.alterPassword(c, role, password);
            return true;
        } catch (SQLException e) {
            if ("XX000".equals(e.getSQLState())) {
                return false; // tuple concurrently updated
            }
            throw e;
        }
    }

    /** Which of the passwords the writers set logs in: the one that committed last. */
    private String passwordInForce(String role) throws SQLException {
        List<String> inForce = new ArrayList<>();
        for (String database : List.of("postgres", "appdb")) {
            for (int i = 0; i < 40; i++) {
                String candidate = database + "-change-" + i;
                try (Connection login = cluster.connect("postgres", role, candidate)) {
                    inForce.add(candidate);
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).as("only a wrong password is refused").isEqualTo("28P01");
                }
            }
        }
        assertThat(inForce).hasSize(1);
        return inForce.get(0);
    }

    private void assertLogsIn(JsonNode secret) throws SQLException {
        assertThat(fixture.secretLogsIn(secret)).isTrue();
    }
}
