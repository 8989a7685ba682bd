package io.credsync.metrics;

import io.credsync.connection.DatabaseConnector;
import io.credsync.crypto.Password;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.RsaKeys;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

class DatabaseGaugesIT {

    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/gauges";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private CredsyncDatabase database;
    private String slot;
    private SwitchableConnector connector;
    private DatabaseGauges gauges;

    @BeforeEach
    void createDatabaseAndSlot() throws SQLException {
        database = CredsyncDatabase.create("gauges");
        slot = "gauges_" + database.name();
        connector = new SwitchableConnector(database);
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement create = c.prepareStatement(
                        "SELECT pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, slot);
            create.execute();
        }
        database.addKey(KID, RsaKeys.pair(2048).getPublic());
    }

    @AfterEach
    void dropSlot() throws SQLException {
        if (gauges != null) {
            gauges.close();
        }
        registry.close();
        // The cluster is shared: a forgotten slot would hold its WAL for the rest of the run.
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement drop = c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(slot_name)"
                        + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            drop.setString(1, slot);
            drop.execute();
        }
    }

    @Test
    void aPendingEventAndThenItsFailedDeliveryAreCountedAndTheIdleSlotIsReported() throws SQLException {
        insertOutboxRow();
        gauges = new DatabaseGauges(connector, slot, registry);

        assertThat(gauges.poll()).as("the poll succeeds").isTrue();

        DatabaseSnapshot first = gauges.snapshot().orElseThrow();
        assertThat(first.pendingEvents()).as("the row has no delivery row yet").isEqualTo(1);
        assertThat(first.oldestPendingAge()).as("its age is known").isNotNull();
        assertThat(first.oldestPendingAge().isNegative()).isFalse();
        assertThat(first.slotExists()).isTrue();
        assertThat(first.slotActive()).as("nobody streams from the slot").isFalse();
        assertThat(first.activePid()).isNull();
        assertThat(first.walStatus()).isEqualTo("reserved");
        assertThat(first.replicationLagBytes()).isNotNull().isNotNegative();
        assertThat(first.retainedWalBytes()).isNotNull().isNotNegative();
        assertThat(first.failedEvents()).isZero();

        Scrape scrape = new Scrape(registry.scrape());
        assertThat(scrape.value("credsync_pending_events")).hasValue(1.0);
        assertThat(scrape.value("credsync_oldest_pending_event_age_seconds").orElseThrow()).isNotNegative();
        assertThat(scrape.value("credsync_slot_exists")).hasValue(1.0);
        assertThat(scrape.value("credsync_slot_active")).hasValue(0.0);
        assertThat(scrape.value("credsync_slot_wal_status", "status", "reserved")).hasValue(1.0);
        assertThat(scrape.value("credsync_slot_wal_status", "status", "lost")).hasValue(0.0);
        assertThat(scrape.value("credsync_replication_lag_bytes").orElseThrow()).isNotNegative();
        assertThat(scrape.value("credsync_slot_retained_wal_bytes").orElseThrow()).isNotNegative();
        assertThat(scrape.value("credsync_failed_events")).hasValue(0.0);
        assertThat(scrape.value("credsync_gauges_last_success_timestamp_seconds").orElseThrow())
                .as("the success timestamp is the poll's time").isCloseTo(Instant.now().getEpochSecond(), within(60.0));

        recordFailedDelivery();
        assertThat(gauges.poll()).isTrue();

        DatabaseSnapshot second = gauges.snapshot().orElseThrow();
        assertThat(second.failedEvents()).as("the failed delivery is counted").isEqualTo(1);
        assertThat(second.pendingEvents()).as("a failed event is no longer pending").isZero();
        assertThat(second.oldestPendingAge()).as("with nothing pending there is no oldest").isNull();
        scrape = new Scrape(registry.scrape());
        assertThat(scrape.value("credsync_failed_events")).hasValue(1.0);
        assertThat(scrape.value("credsync_pending_events")).hasValue(0.0);
        assertThat(scrape.value("credsync_oldest_pending_event_age_seconds"))
                .as("0 rather than NaN, so that an age alert resolves").hasValue(0.0);
    }

    @Test
    void aFailureStopsCountingOnceItsRoleSyncsANewerChangeOrItIsDismissedButNotForAnOlderSync() throws SQLException {
        long olderSynced = insertOutboxRow("alice");
        long rejected = insertOutboxRow("alice");
        long failed = insertOutboxRow("bob");
        record(olderSynced, "synced");
        record(rejected, "rejected");
        record(failed, "failed");
        gauges = new DatabaseGauges(connector, slot, registry);

        assertThat(gauges.poll()).isTrue();
        assertThat(gauges.snapshot().orElseThrow().failedEvents()).as("an older synced change resolves nothing")
                .isEqualTo(2);

        long replay = replayOf(rejected);
        assertThat(gauges.poll()).isTrue();
        assertThat(gauges.snapshot().orElseThrow().failedEvents()).as("a replayed change waits for its replay")
                .isEqualTo(1);
        record(replay, "rejected");
        assertThat(gauges.poll()).isTrue();
        assertThat(gauges.snapshot().orElseThrow().failedEvents()).as("its replay failed in turn: counted once")
                .isEqualTo(2);

        record(insertOutboxRow("alice"), "synced");
        assertThat(gauges.poll()).isTrue();
        assertThat(gauges.snapshot().orElseThrow().failedEvents()).as("alice has synced a newer change since")
                .isEqualTo(1);

        try (Connection c = database.connectAsSuperuser();
                PreparedStatement dismiss = c.prepareStatement("SELECT credsync.dismiss(?, 'role bob was dropped')")) {
            dismiss.setLong(1, failed);
            dismiss.execute();
        }
        assertThat(gauges.poll()).isTrue();
        assertThat(gauges.snapshot().orElseThrow().failedEvents()).as("bob's failure was dismissed").isZero();
        assertThat(new Scrape(registry.scrape()).value("credsync_failed_events")).hasValue(0.0);
    }

    @Test
    void aMissingSlotReadsAsMissingWithUnknownLag() {
        gauges = new DatabaseGauges(connector, slot + "_missing", registry);

        assertThat(gauges.poll()).isTrue();

        DatabaseSnapshot snapshot = gauges.snapshot().orElseThrow();
        assertThat(snapshot.slotExists()).isFalse();
        assertThat(snapshot.replicationLagBytes()).isNull();
        Scrape scrape = new Scrape(registry.scrape());
        assertThat(scrape.value("credsync_slot_exists")).hasValue(0.0);
        assertThat(scrape.value("credsync_replication_lag_bytes").orElseThrow())
                .as("no slot, no lag: unknown rather than a reassuring 0").isNaN();
    }

    @Test
    void gaugesAreUnknownBeforeTheFirstPoll() {
        gauges = new DatabaseGauges(connector, slot, registry);

        assertThat(gauges.snapshot()).isEmpty();
        Scrape scrape = new Scrape(registry.scrape());
        assertThat(scrape.value("credsync_pending_events").orElseThrow()).isNaN();
        assertThat(scrape.value("credsync_gauges_last_success_timestamp_seconds"))
                .as("0, so that a staleness alert fires").hasValue(0.0);
    }

    @Test
    void aFailedPollKeepsTheLastValuesAndABrokenConnectionIsReopened() throws Exception {
        insertOutboxRow();
        gauges = new DatabaseGauges(connector, slot, registry);
        assertThat(gauges.poll()).isTrue();
        DatabaseSnapshot before = gauges.snapshot().orElseThrow();

        terminateOtherBackends();
        connector.available.set(false);

        assertThat(gauges.poll()).as("the terminated connection fails the poll").isFalse();
        assertThat(gauges.poll()).as("and the database cannot be reached for a new one").isFalse();
        assertThat(gauges.answering()).as("for readiness: the database does not answer now").isFalse();
        assertThat(gauges.snapshot()).as("the last values stay, with their time").containsSame(before);
        assertThat(new Scrape(registry.scrape()).value("credsync_pending_events")).hasValue(1.0);

        connector.available.set(true);
        recordFailedDelivery();

        assertThat(gauges.poll()).as("a new connection is opened").isTrue();
        assertThat(gauges.answering()).isTrue();
        DatabaseSnapshot after = gauges.snapshot().orElseThrow();
        assertThat(after.failedEvents()).isEqualTo(1);
        assertThat(after.polledAt()).isAfterOrEqualTo(before.polledAt());
    }

    @Test
    void startedGaugesPollOnTheirOwnAndCloseRemovesThem() throws Exception {
        gauges = new DatabaseGauges(connector, slot, registry, Duration.ofMillis(100), Clock.systemUTC()).start();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(gauges.snapshot()).as("the scheduled poll ran").isPresent());

        gauges.close();

        assertThat(registry.getMeters()).as("the gauges are removed from the registry").isEmpty();
        assertThat(gauges.poll()).as("a closed instance polls no more").isFalse();
        // A pool's worker still runs its exit for a moment after awaitTermination returns.
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("credsync-database-gauges")) {
                thread.join(Duration.ofSeconds(5).toMillis());
            }
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .as("the polling thread is gone")
                .noneMatch(t -> t.getName().equals("credsync-database-gauges") && t.isAlive());
    }

    private void insertOutboxRow() throws SQLException {
        try (Connection c = database.connectAsSuperuser(); Statement statement = c.createStatement()) {
            statement.execute("INSERT INTO credsync.outbox (event_id, role_name, kid, envelope)"
                    + " VALUES (gen_random_uuid(), 'r', '" + KID + "', 'x.y.z.w.v')");
        }
    }

    private long insertOutboxRow(String role) throws SQLException {
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement insert = c.prepareStatement("INSERT INTO credsync.outbox (event_id, role_name, kid,"
                        + " envelope) VALUES (gen_random_uuid(), ?, '" + KID + "', 'x.y.z.w.v') RETURNING id")) {
            insert.setString(1, role);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private long replayOf(long id) throws SQLException {
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement replay = c.prepareStatement("SELECT credsync.replay(?)")) {
            replay.setLong(1, id);
            try (ResultSet row = replay.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private void record(long outboxId, String status) throws SQLException {
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement insert = c.prepareStatement("INSERT INTO credsync.delivery (outbox_id, event_id,"
                        + " role_name, status) SELECT id, event_id, role_name, ? FROM credsync.outbox WHERE id = ?")) {
            insert.setString(1, status);
            insert.setLong(2, outboxId);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }

    private void recordFailedDelivery() throws SQLException {
        try (Connection c = database.connectAsSuperuser(); Statement statement = c.createStatement()) {
            statement.execute("INSERT INTO credsync.delivery (outbox_id, event_id, role_name, status, reason)"
                    + " SELECT id, event_id, role_name, 'failed', 'test' FROM credsync.outbox");
        }
    }

    private void terminateOtherBackends() throws SQLException {
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement terminate = c.prepareStatement("SELECT pg_catalog.pg_terminate_backend(pid)"
                        + " FROM pg_catalog.pg_stat_activity WHERE datname = ? AND pid <> pg_catalog.pg_backend_pid()")) {
            terminate.setString(1, database.name());
            terminate.execute();
        }
    }

    /** Superuser connections to the test database, or an 08001 failure while switched off. */
    private static final class SwitchableConnector implements DatabaseConnector {
        final AtomicBoolean available = new AtomicBoolean(true);
        private final CredsyncDatabase database;

        SwitchableConnector(CredsyncDatabase database) {
            this.database = database;
        }

        @Override
        public Connection connect() throws SQLException {
            if (!available.get()) {
                throw new SQLException("switched off by the test", "08001");
            }
            return database.connectAsSuperuser();
        }

        @Override
        public Connection connectForReplication() {
            throw new UnsupportedOperationException("the gauges need no replication connection");
        }

        @Override
        public Connection connectAs(String role, Password password) {
            throw new UnsupportedOperationException("the gauges log in as no other role");
        }

        @Override
        public String databaseName() {
            return database.name();
        }
    }
}
