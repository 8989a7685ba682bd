package io.credsync.service;

import static io.credsync.testing.Jdbc.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.CoveredCluster;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.LocalHttp;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A covered database dropped without {@code credsync release-database}, by real {@code DROP
 * DATABASE} statements while one consumer streams every database of its own cluster (native or
 * pg_tle): the consumer stops that database's stream with one warning that names it, keeps
 * delivering the others, does not create its slot again in a way that blocks the drop, and drops
 * its gauges; a database created again under the name is a new one, streamed again.
 */
class DroppedDatabaseIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final String DROPPED_WARNING = "was dropped without credsync release-database";

    private final OutputWatch outputs = new OutputWatch();
    private CoveredCluster covered;
    private PostgresCluster cluster;
    private SyncFixture fixture;

    @BeforeEach
    void installIntoEveryDatabase() throws Exception {
        covered = CoveredCluster.install(CredsyncDatabase.clusterOptions(), outputs, "drop\\_%", "appdb", "spare");
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
    void aDatabaseDroppedWithForceStopsItsStreamWithOneWarningWhileTheOthersAreStillDelivered() throws Exception {
        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("drop");
        createRoleFromPostgres(role);
        String spareSlot = covered.awaitActiveSlotOf("spare");
        String spareOid = covered.oidOf("spare");
        assertThat(metrics(consumer)).contains("database=\"spare\"");

        // The walsender ended, then the drop at once: the slot is inactive, so DROP DATABASE drops it.
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            endWalsender(postgres, spareSlot);
            execute(postgres, "DROP DATABASE spare WITH (FORCE)");
        }

        await().alias("the consumer warns about spare").atMost(SYNC_TIMEOUT)
                .until(() -> consumer.output().contains(DROPPED_WARNING));
        assertThat(consumer.isAlive()).as("the consumer goes on").isTrue();
        assertThat(occurrences(consumer.output(), DROPPED_WARNING)).isEqualTo(1);
        assertThat(consumer.output()).contains("database spare (OID " + spareOid + ") " + DROPPED_WARNING,
                "the events pending there (", "were lost with it");
        await().alias("spare's gauges are gone").atMost(Duration.ofSeconds(20))
                .until(() -> !metrics(consumer).contains("database=\"spare\""));
        try (Connection app = cluster.connectAsSuperuser("appdb")) {
            RoleStatements.alterPassword(app, role, outputs.password("after-the-drop-from-appdb"));
        }
        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, "after-the-drop-from-appdb",
                SYNC_TIMEOUT))).as("the other databases' changes still reach their secrets").isTrue();
        await().alias("readiness").atMost(Duration.ofSeconds(20)).until(() -> ready(consumer));
        SyncFixture.CliRun status = fixture.runCli("status");
        assertThat(status.output()).doesNotContain("spare");
        assertThat(fixture.runCli("doctor").output()).containsPattern("databases covered: 4 databases \\(appdb, "
                + fixture.database().name() + ", postgres, template1\\)");

        // Created again under the same name: a new database, covered through template1 and streamed again.
        cluster.createDatabase("spare");
        assertThat(covered.oidOf("spare")).isNotEqualTo(spareOid);
        String newSlot = covered.awaitActiveSlotOf("spare");
        assertThat(newSlot).isNotEqualTo(spareSlot);
        try (Connection spare = cluster.connectAsSuperuser("spare")) {
            RoleStatements.alterPassword(spare, role, outputs.password("from-the-new-spare"));
        }
        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, "from-the-new-spare", SYNC_TIMEOUT)))
                .isTrue();
        assertThat(occurrences(consumer.output(), DROPPED_WARNING)).isEqualTo(1);
        assertThat(consumer.output()).doesNotContain("\"level\":\"ERROR\"");
    }

    @Test
    void aSlotDroppedByHandIsNotCreatedAgainBeforeAPlainDropDatabaseThatFollows() throws Exception {
        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        String spareSlot = covered.awaitActiveSlotOf("spare");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            endWalsender(postgres, spareSlot);
            execute(postgres, "SELECT pg_catalog.pg_drop_replication_slot('" + spareSlot + "')");
            // Longer than the consumer's reconnect wait: its reconnect comes in between, and must leave
            // the slot missing and close its connections there, or the DROP below fails.
            Thread.sleep(2_500);
            assertThat(covered.slotOf("spare")).as("the slot is not created again at once").isNull();
            execute(postgres, "DROP DATABASE spare");
        }

        await().alias("the consumer warns about spare").atMost(SYNC_TIMEOUT)
                .until(() -> consumer.output().contains(DROPPED_WARNING));
        assertThat(occurrences(consumer.output(), DROPPED_WARNING)).isEqualTo(1);
        assertThat(consumer.isAlive()).isTrue();
        assertThat(fixture.secretLogsIn(createRoleFromPostgres(RoleStatements.uniqueName("drop")))).isTrue();
    }

    @Test
    void aSlotDroppedByHandInADatabaseThatStaysIsCreatedAgainAndWhatWasCommittedMeanwhileIsDelivered()
            throws Exception {
        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        String role = RoleStatements.uniqueName("drop");
        createRoleFromPostgres(role);
        String spareSlot = covered.awaitActiveSlotOf("spare");
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            endWalsender(postgres, spareSlot);
            execute(postgres, "SELECT pg_catalog.pg_drop_replication_slot('" + spareSlot + "')");
        }
        try (Connection spare = cluster.connectAsSuperuser("spare")) {
            RoleStatements.alterPassword(spare, role, outputs.password("while-the-slot-was-missing"));
        }

        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, "while-the-slot-was-missing",
                SYNC_TIMEOUT))).as("delivered from the outbox table once the slot is back").isTrue();
        assertThat(covered.awaitActiveSlotOf("spare")).isEqualTo(spareSlot);
        assertThat(consumer.output()).contains("replication slot " + spareSlot + " of database spare was missing and"
                + " has been created again").doesNotContain(DROPPED_WARNING);
        assertThat(consumer.isAlive()).isTrue();
    }

    /** Creates {@code role} from the postgres database; returns its secret once it holds the password. */
    private JsonNode createRoleFromPostgres(String role) throws SQLException, InterruptedException {
        try (Connection postgres = cluster.connectAsSuperuser("postgres")) {
            RoleStatements.createRole(postgres, role, outputs.password("created-" + role));
        }
        return fixture.awaitSecretPassword(role, "created-" + role, SYNC_TIMEOUT);
    }

    /** Ends the walsender streaming {@code slot}, waiting up to 10 s for it to be gone, so the slot is inactive. */
    private static void endWalsender(Connection postgres, String slot) throws SQLException {
        execute(postgres, "SELECT pg_catalog.pg_terminate_backend(active_pid, 10000)"
                + " FROM pg_catalog.pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    private static int occurrences(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private static String metrics(ConsumerProcess consumer) throws IOException, InterruptedException {
        return LocalHttp.get(consumer.metricsPort(), "/metrics").body();
    }

    private static boolean ready(ConsumerProcess consumer) throws IOException, InterruptedException {
        return LocalHttp.get(consumer.metricsPort(), "/health/ready").statusCode() == 200;
    }
}
