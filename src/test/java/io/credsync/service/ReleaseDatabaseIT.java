package io.credsync.service;

import static io.credsync.testing.Jdbc.execute;
import static io.credsync.testing.Jdbc.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * {@code credsync release-database} before {@code DROP DATABASE}, on a cluster of its own with one
 * consumer for every database (native or pg_tle): the released database's pending event reaches
 * the secret before its slot goes, a managed change made there afterwards is refused, the other
 * databases are delivered throughout, the consumer never streams it again, and then the database
 * can be dropped. Without a consumer, a database with nothing pending is released by the command
 * alone.
 */
class ReleaseDatabaseIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);

    private final OutputWatch outputs = new OutputWatch();
    private CoveredCluster covered;
    private PostgresCluster cluster;
    private SyncFixture fixture;

    @BeforeEach
    void installIntoEveryDatabase() throws Exception {
        covered = CoveredCluster.install(CredsyncDatabase.clusterOptions(), outputs, "rel\\_%", "appdb", "spare");
        cluster = covered.cluster();
        fixture = covered.fixture();
    }

    @AfterEach
    void stop() throws SQLException {
        if (covered != null) {
            covered.close();
        }
    }

    @Test
    void aReleasedDatabasesPendingEventIsDeliveredThenItsSlotGoesAndItCanBeDroppedWhileTheOthersAreDelivered()
            throws Exception {
        ConsumerProcess first = outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("rel");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRole(postgres, role, outputs.password("created-" + role));
        }
        fixture.awaitSecretPassword(role, "created-" + role, SYNC_TIMEOUT);
        String appSlot = covered.slotOf("appdb");
        assertThat(appSlot).as("the consumer streams appdb").isNotNull();
        assertThat(first.terminate(Duration.ofSeconds(15))).isZero();

        // Captured while no consumer runs: pending in appdb's outbox.
        try (Connection app = cluster.connectAsSuperuser("appdb")) {
            RoleStatements.alterPassword(app, role, outputs.password("pending-in-appdb"));
        }
        SyncFixture.CliRun waiting = fixture.runCli("release-database", "appdb", "--wait", "2s");
        assertThat(waiting.exitCode()).as(waiting.output()).isEqualTo(4);
        assertThat(waiting.output()).contains("released database appdb",
                "1 event(s) captured in appdb are not delivered yet and no consumer streams slot " + appSlot,
                "the release stands");
        assertThat(doctorLines()).as("doctor names the released database and what it waits for")
                .contains("WARN  released databases: appdb (releasing: 1 event(s) pending, slot " + appSlot
                        + " not streamed)", "      fix: start the consumer (credsync run): it delivers what is"
                        + " pending in appdb and drops its slot")
                .anyMatch(line -> line.startsWith("ok    databases covered: ")
                        && line.endsWith("; released, so not counted: appdb") && !line.contains("(appdb"));
        try (Connection app = cluster.connectAsSuperuser("appdb")) {
            assertThatThrownBy(() -> RoleStatements.alterPassword(app, role, outputs.password("refused-in-appdb")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getServerErrorMessage().getMessage())
                            .isEqualTo("credsync cannot record the password of role \"" + role + "\" in database"
                                    + " \"appdb\", which was released from credsync"));
        }

        outputs.consumer(fixture.startConsumer());
        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, "pending-in-appdb", SYNC_TIMEOUT)))
                .as("the pending event of the released database is delivered").isTrue();
        SyncFixture.CliRun released = fixture.runCli("release-database", "appdb", "--wait", "60s");
        assertThat(released.exitCode()).as(released.output()).isZero();
        assertThat(released.output()).contains("slot " + appSlot + " is gone: DROP DATABASE appdb can run now");

        // A database created now is streamed by the next discovery round, which must leave appdb alone.
        cluster.createDatabase("created_after");
        covered.awaitSlotOf("created_after");
        assertThat(covered.slotOf("appdb")).as("a discovery round later: appdb's slot is not created again").isNull();
        SyncFixture.CliRun status = fixture.runCli("status");
        assertThat(status.output()).doesNotContain("credsync status of database appdb")
                .contains("Released database appdb (by ");
        assertThat(doctorLines()).contains("WARN  released databases: appdb (released and done with: slot gone,"
                + " nothing pending; it still exists, and a managed role's password change made there is refused)",
                "      fix: DROP DATABASE appdb, which the release was for");

        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.alterPassword(postgres, role, outputs.password("after-the-release"));
            execute(postgres, "DROP DATABASE appdb");
        }
        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, "after-the-release", SYNC_TIMEOUT)))
                .as("the other databases are delivered throughout").isTrue();
        assertThat(doctorLines()).contains("ok    released databases: appdb (dropped)")
                .noneMatch(line -> line.startsWith("FAIL  databases covered"));
    }

    @Test
    void aRepeatableReadTransactionOlderThanTheReleaseKeepsTheSlotUntilItsChangeIsDelivered() throws Exception {
        outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("rel");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRole(postgres, role, outputs.password("created-" + role));
        }
        fixture.awaitSecretPassword(role, "created-" + role, SYNC_TIMEOUT);
        String appSlot = covered.awaitSlotOf("appdb");

        try (Connection old = cluster.connectAsSuperuser("appdb")) {
            // Its snapshot is taken before the release, so its capture cannot see the release.
            old.setAutoCommit(false);
            old.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            single(old, "SELECT 1");

            SyncFixture.CliRun waiting = fixture.runCli("release-database", "appdb", "--wait", "3s");
            assertThat(waiting.exitCode()).as(waiting.output()).isEqualTo(4);
            assertThat(waiting.output()).contains("waiting for 1 transaction(s) in appdb that began before the"
                    + " release to end");
            assertThat(covered.slotOf("appdb")).as("the slot stays while that transaction may capture")
                    .isEqualTo(appSlot);

            RoleStatements.alterPassword(old, role, outputs.password("older-than-the-release"));
            old.commit();
        }

        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, "older-than-the-release", SYNC_TIMEOUT)))
                .as("the change of a transaction older than the release is delivered, not lost").isTrue();
        SyncFixture.CliRun released = fixture.runCli("release-database", "appdb", "--wait", "60s");
        assertThat(released.exitCode()).as(released.output()).isZero();
        assertThat(covered.slotOf("appdb")).isNull();
    }

    @Test
    void withoutAConsumerADatabaseWithNothingPendingIsReleasedByTheCommandAlone() throws Exception {
        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        String spareSlot = covered.awaitSlotOf("spare");
        assertThat(consumer.terminate(Duration.ofSeconds(15))).isZero();

        SyncFixture.CliRun released = fixture.runCli("release-database", "spare", "--wait", "30s");

        assertThat(released.exitCode()).as(released.output()).isZero();
        assertThat(released.output()).contains("dropped slot " + spareSlot
                + " (no consumer was streaming it, nothing was pending): DROP DATABASE spare can run now");
        SyncFixture.CliRun status = fixture.runCli("status");
        assertThat(status.output()).contains("Released database spare (by ",
                "slot " + spareSlot + " is dropped and nothing is pending: DROP DATABASE can run");
        // A release that capture in spare no longer sees (its own row deleted) is a failure doctor names.
        try (Connection spare = cluster.connectAsSuperuser("spare")) {
            execute(spare, "DELETE FROM credsync.released_database");
        }
        assertThat(doctorLines()).anyMatch(line -> line.startsWith("FAIL  released databases: spare (released in"
                + " the home database only")).contains("      fix: run credsync release-database spare again: it"
                + " records the release there too");
        SyncFixture.CliRun again = fixture.runCli("release-database", "spare", "--wait", "30s");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(doctorLines()).anyMatch(line -> line.startsWith("WARN  released databases: spare (released and"
                + " done with"));
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            execute(postgres, "DROP DATABASE spare");
        }
        SyncFixture.CliRun home = fixture.runCli("release-database", fixture.database().name());
        assertThat(home.exitCode()).isEqualTo(1);
        assertThat(home.output()).contains("is the home database");
    }

    private java.util.List<String> doctorLines() {
        // The AWS checks cannot pass here (no credentials in the command's environment): only the lines matter.
        return fixture.runCli("doctor").output().lines().toList();
    }
}
