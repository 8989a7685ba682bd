package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import io.credsync.testing.ClusterConnector;
import io.credsync.testing.ClusterOptions;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import io.credsync.testing.ShutdownMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * {@link ReplicationSource} against a real PostgreSQL cluster of its own (the tests restart it)
 * with credsync installed: real ALTER ROLE statements, a sink that records batches, and the
 * test playing the delivery side by calling {@link AckTracker#delivered} when it chooses.
 */
class ReplicationSourceIT {

    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/replication-it";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final long MB = 1024L * 1024L;

    private static PostgresCluster cluster;

    private CredsyncDatabase database;
    private String slot;
    private final List<Running> running = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = PostgresCluster.start(ClusterOptions.defaults());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void createDatabase() throws SQLException {
        database = CredsyncDatabase.create(cluster, "repl");
        database.addKey(KID, RsaKeys.pair(2048).getPublic());
        database.manage("repl\\_%");
        slot = "credsync_it_" + COUNTER.incrementAndGet();
    }

    @AfterEach
    void stopSourcesAndDropSlot() throws Exception {
        for (Running source : running) {
            source.stopAndJoin(Duration.ofSeconds(10));
        }
        eventually(Duration.ofSeconds(10), "the slot is released", () -> !slotActive());
        sql("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots"
                + " WHERE slot_name = '" + slot + "'");
    }

    @Test
    void alterRoleArrivesAsOneBatchPerTransactionInCommitOrderAndARolledBackOneNever() throws Exception {
        String a = createRole();
        String b = createRole();
        String c = createRole();
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.recording();
        start(settings(), tracker, sink);

        alterPassword(a, "first-Pa55");
        try (Connection connection = database.connectAsSuperuser()) {
            connection.setAutoCommit(false);
            alterPassword(connection, b, "second-Pa55");
            alterPassword(connection, a, "third-Pa55");
            connection.commit();
            alterPassword(connection, c, "rolled-back-Pa55");
            connection.rollback();
        }
        alterPassword(c, "fourth-Pa55");
        long firstId = outboxRows().get(0).id();
        // What credsync.replay(id) inserts: a copy of the row that names its original.
        sql("INSERT INTO credsync.outbox (event_id, role_name, kid, envelope, replay_of)"
                + " SELECT event_id, role_name, kid, envelope, id FROM credsync.outbox WHERE id = " + firstId);

        List<OutboxBatch> batches = sink.await(4, Duration.ofSeconds(15));
        assertThat(batches).extracting(batch -> batch.events().stream().map(OutboxEvent::roleName).toList())
                .as("one batch per committed transaction, rows in the order the transaction wrote them")
                .containsExactly(List.of(a), List.of(b, a), List.of(c), List.of(a));
        List<OutboxEvent> streamed = batches.stream().flatMap(batch -> batch.events().stream()).toList();
        assertThat(streamed)
                .as("every column as the table holds it, the rolled-back change absent")
                .containsExactlyElementsOf(outboxRows());
        assertThat(streamed.get(4).replayOf()).as("the replay names its original").isEqualTo(firstId);
        assertThat(streamed.get(4).eventId()).isEqualTo(streamed.get(0).eventId());
        for (int i = 1; i < batches.size(); i++) {
            assertThat(batches.get(i).endLsn()).as("commit order").isGreaterThan(batches.get(i - 1).endLsn());
        }
        assertThat(batches.get(0).commitTime()).isBetween(Instant.now().minusSeconds(60), Instant.now());
        // Batches come in commit order: once a later change arrived, the rolled-back one never will.
        alterPassword(b, "after-all-Pa55");
        sink.await(5, Duration.ofSeconds(15));
        assertThat(sink.batches()).as("nothing more: the rolled-back ALTER ROLE never arrives")
                .hasSize(5).last().extracting(batch -> batch.events().stream().map(OutboxEvent::roleName).toList())
                .isEqualTo(List.of(b));
    }

    @Test
    void confirmedFlushDoesNotPassAnUndeliveredBatchAndMovesPastItOnceDelivered() throws Exception {
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.recording();
        start(settings().withStatusInterval(Duration.ofMillis(200)), tracker, sink);
        String role = createRole();

        alterPassword(role, "undelivered-Pa55");
        OutboxBatch batch = sink.await(1, Duration.ofSeconds(15)).get(0);
        writeWal(4);
        Lsn walEnd = currentWal();
        eventually(Duration.ofSeconds(10), "the source received the server's position past the batch",
                () -> walSenderWrite().compareTo(walEnd) >= 0);
        // Each status update could have confirmed too much; wait for a few of them (one per 200 ms).
        String received = sqlValue("SELECT clock_timestamp()::text");
        eventually(Duration.ofSeconds(10), "the source sent status updates since it received that position",
                () -> "true".equals(statusUpdateSince(received, Duration.ofMillis(600))));

        assertThat(slotConfirmed())
                .as("keepalives reported WAL up to %s, but the batch ending at %s is not delivered", walEnd,
                        batch.endLsn())
                .isLessThan(batch.endLsn());

        assertThat(tracker.delivered(batch)).isTrue();
        eventually(Duration.ofSeconds(5), "the slot confirms the delivered batch",
                () -> slotConfirmed().compareTo(walEnd) >= 0);
    }

    @Test
    void anIdleOutboxOnABusyDatabaseDoesNotMakeTheSlotHoldWal() throws Exception {
        start(ReplicationSettings.defaults(slot).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                new AckTracker(), RecordingSink.recording());
        Lsn before = currentWal();

        writeWal(80);

        Lsn after = currentWal();
        assertThat(before.bytesBehind(after)).as("WAL written").isGreaterThanOrEqualTo(64 * MB);
        long started = System.nanoTime();
        eventually(Duration.ofSeconds(10), "the slot retains less than 16 MB", () -> retainedBytes() < 16 * MB);
        System.err.printf("retained WAL fell below 16 MB %d ms after writing %d MB%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), before.bytesBehind(after) / MB);
    }

    @Test
    void anIdleStreamSpacesOutItsStatusUpdatesAndStillConfirmsADeliveryAtOnce() throws Exception {
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.recording();
        start(settings().withStatusInterval(Duration.ofMillis(100)), tracker, sink);
        eventually(Duration.ofSeconds(10), "the source streams", this::slotActive);

        // The server's messages (WAL written anywhere in the cluster, by earlier tests' autovacuum
        // say) end an idle wait, so the spacing shows in a window in which no WAL was written.
        // Idle waits of 0.1, 0.2, 0.4, 0.8 and 1.6 s make 5 updates in the first 3 s, fewer after.
        boolean quietWindow = false;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!quietWindow && System.nanoTime() < giveUp) {
            String walBefore = sqlValue("SELECT pg_catalog.pg_current_wal_insert_lsn()::text");
            Set<String> replies = new HashSet<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < end) {
                replies.add(String.valueOf(sqlValue("SELECT r.reply_time::text FROM pg_catalog.pg_stat_replication r"
                        + " JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = '"
                        + slot + "'")));
                Thread.sleep(50);
            }
            if (walBefore.equals(sqlValue("SELECT pg_catalog.pg_current_wal_insert_lsn()::text"))) {
                quietWindow = true;
                assertThat(replies)
                        .as("status updates seen in 3 s without WAL, from a stream whose status interval is 100 ms"
                                + " (one every 100 ms would make about 30)")
                        .hasSizeLessThanOrEqualTo(7);
            }
        }
        assertThat(quietWindow).as("3 s without WAL on the test cluster, within a minute").isTrue();

        String role = createRole();
        alterPassword(role, "after-idleness-Pa55");
        OutboxBatch batch = sink.await(1, Duration.ofSeconds(15)).get(0);
        tracker.delivered(batch);
        eventually(Duration.ofSeconds(3), "a delivery is confirmed within about a status interval, idle or not",
                () -> slotConfirmed().compareTo(batch.endLsn()) >= 0);
        assertThat(nextIdleWaitsFrom(Duration.ofSeconds(10))).as("the default interval: 10, 20, 40, 80 s")
                .containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(80));
        assertThat(nextIdleWaitsFrom(Duration.ofSeconds(40))).as("then 120 s, past the server's keepalive")
                .containsExactly(Duration.ofSeconds(80), Duration.ofMinutes(2), Duration.ofMinutes(2));
        assertThat(nextIdleWaitsFrom(Duration.ofMinutes(3))).as("never below the status interval")
                .containsExactly(Duration.ofMinutes(3), Duration.ofMinutes(3), Duration.ofMinutes(3));
    }

    private static List<Duration> nextIdleWaitsFrom(Duration statusInterval) {
        List<Duration> waits = new ArrayList<>();
        Duration wait = statusInterval;
        for (int i = 0; i < 3; i++) {
            wait = ReplicationSource.nextIdleWait(wait, statusInterval);
            waits.add(wait);
        }
        return waits;
    }

    @ParameterizedTest
    @EnumSource(ShutdownMode.class)
    void reconnectsAfterARestartAndReceivesAnUndeliveredBatchAgain(ShutdownMode mode) throws Exception {
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.recording();
        Running source = start(settings(), tracker, sink);
        String before = createRole();
        String after = createRole();
        alterPassword(before, "before-restart-Pa55");
        OutboxBatch undelivered = sink.await(1, Duration.ofSeconds(15)).get(0);

        long restartStarted = System.nanoTime();
        cluster.restart(mode);
        long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartStarted);
        assertThat(restartMillis)
                .as("an undelivered batch must not hold up PostgreSQL's shutdown")
                .isLessThan(20_000);

        OutboxBatch resent = sink.await(2, Duration.ofSeconds(20)).get(1);
        assertThat(resent.events()).as("sent again, the same events").isEqualTo(undelivered.events());
        assertThat(resent.endLsn()).isEqualTo(undelivered.endLsn());
        alterPassword(after, "after-restart-Pa55");
        OutboxBatch later = sink.await(3, Duration.ofSeconds(15)).get(2);
        assertThat(later.events()).extracting(OutboxEvent::roleName).containsExactly(after);
        assertThat(source.failure()).isNull();

        tracker.delivered(undelivered);
        tracker.delivered(later);
        eventually(Duration.ofSeconds(10), "the slot confirms both batches",
                () -> slotConfirmed().compareTo(later.endLsn()) >= 0);
    }

    @Test
    void waitsWhileAnotherConnectionHoldsTheSlotAndTakesOverWhenItIsReleased() throws Exception {
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.recording();
        ReplicationSource source = new ReplicationSource(connector(), settings(), tracker, sink);
        assertThat(source.ensureSlotAndPublication()).as("created").isTrue();
        String role = createRole();

        try (Connection other = connector().connectForReplication()) {
            PGReplicationStream held = other.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                    .logical().withSlotName(slot)
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", ReplicationSettings.DEFAULT_PUBLICATION)
                    .start();
            eventually(Duration.ofSeconds(5), "the other connection holds the slot", this::slotActive);
            Running running = start(source);
            alterPassword(role, "taken-over-Pa55");
            Thread.sleep(2000);
            assertThat(source.isStreaming()).as("the slot is in use elsewhere").isFalse();
            assertThat(sink.batches()).isEmpty();
            assertThat(running.failure()).isNull();
            held.close();
        }

        OutboxBatch batch = sink.await(1, Duration.ofSeconds(10)).get(0);
        assertThat(batch.events()).extracting(OutboxEvent::roleName).containsExactly(role);
        assertThat(source.isStreaming()).isTrue();
    }

    @Test
    void stopReturnsWithinTwoSecondsAfterAFinalStatusUpdateAndLeavesTheSlotInactive() throws Exception {
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.recording();
        // A long status interval: only the final update can report the delivery in time.
        Running source = start(settings().withStatusInterval(Duration.ofMinutes(5)), tracker, sink);
        String role = createRole();
        alterPassword(role, "stop-Pa55");
        OutboxBatch batch = sink.await(1, Duration.ofSeconds(15)).get(0);
        tracker.delivered(batch);

        long stopping = System.nanoTime();
        source.source.stop();
        source.thread.join(2000);
        long stoppedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);

        assertThat(source.thread.isAlive()).as("run() returned within 2 s").isFalse();
        assertThat(source.failure()).isNull();
        assertThat(source.interruptedAfterRun()).isFalse();
        eventually(Duration.ofSeconds(2), "the slot is inactive", () -> !slotActive());
        assertThat(slotConfirmed()).as("the delivered batch was confirmed").isGreaterThanOrEqualTo(batch.endLsn());
        System.err.printf("run() returned %d ms after stop()%n", stoppedMillis);
    }

    @Test
    void stopEndsAHandOverBlockedInTheSinkWithoutConfirmingIt() throws Exception {
        AckTracker tracker = new AckTracker();
        RecordingSink sink = RecordingSink.blocking();
        Running source = start(settings(), tracker, sink);
        String role = createRole();
        alterPassword(role, "blocked-Pa55");
        assertThat(sink.awaitEntered(Duration.ofSeconds(15))).as("the hand-over blocks").isTrue();

        source.source.stop();
        source.thread.join(2000);

        assertThat(source.thread.isAlive()).as("run() returned within 2 s").isFalse();
        assertThat(source.failure()).isNull();
        assertThat(source.interruptedAfterRun())
                .as("the interrupt came from stop() and was consumed")
                .isFalse();
        eventually(Duration.ofSeconds(2), "the slot is inactive", () -> !slotActive());
        assertThat(tracker.inFlight()).as("the batch was never delivered").isEqualTo(1);
        assertThat(sink.batches()).as("nor taken").isEmpty();
        assertThat(slotConfirmed()).as("not confirmed").isLessThan(sink.offered().get(0).endLsn());
    }

    @Test
    void aDroppedSlotIsCreatedAgainAndTheSinkToldToScanTheOutbox() throws Exception {
        RecordingSink sink = RecordingSink.recording();
        start(settings().withBackoff(Duration.ofMillis(500), Duration.ofSeconds(1)), new AckTracker(), sink);
        eventually(Duration.ofSeconds(10), "the slot is in use", this::slotActive);

        dropSlotWhileStreamed();

        eventually(Duration.ofSeconds(15), "the slot was created again", () -> sink.slotsRecreated() == 1);
        eventually(Duration.ofSeconds(10), "the source streams again", this::slotActive);
        String role = createRole();
        alterPassword(role, "recreated-Pa55");
        assertThat(sink.await(1, Duration.ofSeconds(15)).get(0).events())
                .extracting(OutboxEvent::roleName).containsExactly(role);
    }

    @Test
    void withEndStreamADroppedSlotEndsRunWithSlotMissingAndIsNotCreatedAgain() throws Exception {
        RecordingSink sink = RecordingSink.recording();
        ReplicationSource source = new ReplicationSource(connector(), settings(), new AckTracker(), sink,
                ReplicationSource.MissingSlot.END_STREAM);
        source.ensureSlotAndPublication();
        Running running = start(source);
        eventually(Duration.ofSeconds(15), "the source streams", source::isStreaming);

        dropSlotWhileStreamed();

        running.thread.join(Duration.ofSeconds(15).toMillis());
        assertThat(running.thread.isAlive()).as("run() ended").isFalse();
        assertThat(running.failure()).isInstanceOf(SlotMissingException.class).hasMessageContaining(slot);
        assertThat(slotExists()).as("not created again: a DROP DATABASE may follow").isFalse();
        assertThat(sink.slotsRecreated()).isZero();
    }

    @Test
    void aMissingPublicationEndsRunWithAnErrorSayingToInstallCredsync() throws Exception {
        String plain = "repl_plain_" + COUNTER.incrementAndGet();
        cluster.createDatabase(plain);
        ReplicationSource source = new ReplicationSource(ClusterConnector.superuser(cluster, plain), settings(),
                new AckTracker(), RecordingSink.recording());

        assertThatThrownBy(source::ensureSlotAndPublication)
                .isInstanceOf(ReplicationException.class)
                .hasMessageContaining("credsync_outbox")
                .hasMessageContaining("install the credsync extension");
        assertThatThrownBy(source::run).isInstanceOf(ReplicationException.class);
        assertThat(slotExists()).as("no slot without a publication").isFalse();
    }

    @Test
    void refusedCredentialsEndRunWithAnError() {
        ClusterConnector wrong = new ClusterConnector(cluster, database.name(), cluster.superuser(), "wrong");
        ReplicationSource source = new ReplicationSource(wrong, settings(), new AckTracker(),
                RecordingSink.recording());

        assertThatThrownBy(source::run)
                .isInstanceOf(ReplicationException.class)
                .hasMessageContaining("credentials")
                .hasMessageContaining("28P01");
    }

    @Test
    void ensureSlotAndPublicationCreatesAPgoutputSlotOnce() throws Exception {
        ReplicationSource source = new ReplicationSource(connector(), settings(), new AckTracker(),
                RecordingSink.recording());

        assertThat(source.ensureSlotAndPublication()).isTrue();
        assertThat(source.ensureSlotAndPublication()).as("it exists now").isFalse();
        assertThat(sqlValue("SELECT plugin || '/' || slot_type FROM pg_catalog.pg_replication_slots"
                + " WHERE slot_name = '" + slot + "'")).isEqualTo("pgoutput/logical");
    }

    // ---------------------------------------------------------------------------------------

    private ReplicationSettings settings() {
        return ReplicationSettings.defaults(slot)
                .withStatusInterval(Duration.ofSeconds(1))
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    private ClusterConnector connector() {
        return ClusterConnector.superuser(cluster, database.name());
    }

    private Running start(ReplicationSettings settings, AckTracker tracker, OutboxBatchSink sink) throws Exception {
        ReplicationSource source = new ReplicationSource(connector(), settings, tracker, sink);
        source.ensureSlotAndPublication();
        Running started = start(source);
        eventually(Duration.ofSeconds(15), "the source streams", source::isStreaming);
        return started;
    }

    private Running start(ReplicationSource source) {
        Running started = new Running(source);
        running.add(started);
        return started;
    }

    /** A source running on a thread of its own, with what run() ended with. */
    private static final class Running {
        final ReplicationSource source;
        final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean interruptedAfterRun = new AtomicBoolean();

        Running(ReplicationSource source) {
            this.source = source;
            this.thread = new Thread(() -> {
                try {
                    source.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
                interruptedAfterRun.set(Thread.currentThread().isInterrupted());
            }, "replication-it");
            thread.start();
        }

        Throwable failure() {
            return failure.get();
        }

        boolean interruptedAfterRun() {
            return interruptedAfterRun.get();
        }

        void stopAndJoin(Duration timeout) throws InterruptedException {
            source.stop();
            thread.join(timeout.toMillis());
            assertThat(thread.isAlive()).as("the source stopped").isFalse();
        }
    }

    private String createRole() throws SQLException {
        String role = "repl_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        sql("CREATE ROLE " + role + " LOGIN");
        return role;
    }

    private void alterPassword(String role, String password) throws SQLException {
        try (Connection connection = database.connectAsSuperuser()) {
            alterPassword(connection, role, password);
        }
    }

    private static void alterPassword(Connection connection, String role, String password) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER ROLE " + pg.escapeIdentifier(role) + " PASSWORD '"
                    + pg.escapeLiteral(SecretScan.password(password)) + "'");
        }
    }

    private List<OutboxEvent> outboxRows() throws SQLException {
        List<OutboxEvent> rows = new ArrayList<>();
        try (Connection connection = database.connectAsSuperuser();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT id, event_id, role_name, kid, envelope, replay_of,"
                        + " created_at FROM credsync.outbox ORDER BY id")) {
            while (row.next()) {
                long replay = row.getLong(6);
                Long replayOf = row.wasNull() ? null : replay;
                rows.add(new OutboxEvent(row.getLong(1), new EventId(row.getObject(2, UUID.class)), row.getString(3),
                        row.getString(4), row.getString(5), replayOf,
                        row.getObject(7, OffsetDateTime.class).toInstant()));
            }
        }
        return rows;
    }

    /** Writes about {@code megabytes} MB of WAL into a table no publication covers, in 1 MB transactions. */
    private void writeWal(int megabytes) throws SQLException {
        try (Connection connection = database.connectAsSuperuser();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS filler (x text)");
            for (int i = 0; i < megabytes; i++) {
                statement.execute("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 1000)");
            }
        }
    }

    private Lsn currentWal() throws SQLException {
        return Lsn.parse(sqlValue("SELECT pg_catalog.pg_current_wal_lsn()::text"));
    }

    private Lsn slotConfirmed() throws SQLException {
        return Lsn.parse(sqlValue("SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots"
                + " WHERE slot_name = '" + slot + "'"));
    }

    private long retainedBytes() throws SQLException {
        return Long.parseLong(sqlValue("SELECT (pg_catalog.pg_current_wal_lsn() - confirmed_flush_lsn)::bigint::text"
                + " FROM pg_catalog.pg_replication_slots WHERE slot_name = '" + slot + "'"));
    }

    /** What the walsender serving the slot last heard the client has received. */
    private Lsn walSenderWrite() throws SQLException {
        String write = sqlValue("SELECT r.write_lsn::text FROM pg_catalog.pg_stat_replication r"
                + " JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = '" + slot + "'");
        return write == null ? Lsn.INVALID : Lsn.parse(write);
    }

    /** Whether the walsender of the slot had a status update {@code after} past {@code since} (server time). */
    private String statusUpdateSince(String since, Duration after) throws SQLException {
        return sqlValue("SELECT (r.reply_time > '" + since + "'::timestamptz + interval '" + after.toMillis()
                + " milliseconds')::text FROM pg_catalog.pg_stat_replication r JOIN pg_catalog.pg_replication_slots s"
                + " ON s.active_pid = r.pid WHERE s.slot_name = '" + slot + "'");
    }

    /**
     * Ends the walsender that streams the slot and drops the slot, trying again while the source's
     * reconnect makes it active once more (55006).
     */
    private void dropSlotWhileStreamed() throws Exception {
        AtomicBoolean dropped = new AtomicBoolean();
        eventually(Duration.ofSeconds(15), "the slot was dropped", () -> {
            sql("SELECT pg_catalog.pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots"
                    + " WHERE slot_name = '" + slot + "' AND active_pid IS NOT NULL");
            try {
                sql("SELECT pg_catalog.pg_drop_replication_slot('" + slot + "')");
                dropped.set(true);
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState())) {
                    throw e;
                }
            }
            return dropped.get();
        });
    }

    private boolean slotActive() throws SQLException {
        return "true".equals(sqlValue("SELECT active::text FROM pg_catalog.pg_replication_slots WHERE slot_name = '"
                + slot + "'"));
    }

    private boolean slotExists() throws SQLException {
        return sqlValue("SELECT slot_name FROM pg_catalog.pg_replication_slots WHERE slot_name = '" + slot + "'")
                != null;
    }

    private void sql(String sql) throws SQLException {
        try (Connection connection = database.connectAsSuperuser();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private String sqlValue(String sql) throws SQLException {
        try (Connection connection = database.connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static void eventually(Duration timeout, String what, Callable<Boolean> condition) {
        // The server may be restarting: an SQLException means "not yet", until the deadline.
        await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(SQLException.class).until(condition);
    }
}
