package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import io.credsync.testing.SeededRandom;
import io.credsync.testing.ShutdownMode;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import io.credsync.testing.NoPasswordIn;

/**
 * The consumer as users run it, a separate {@code java -jar credsync.jar run} process, between
 * a real PostgreSQL cluster, local-kms and moto: the secret, not the test, is the oracle, and a
 * secret is right only if its password logs in.
 */
class ConsumerEndToEndIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

    /** Every password a test sets; none may appear in the consumers' output. */
    private final OutputWatch outputs = new OutputWatch();
    private SyncFixture fixture;
    /** A cluster of a test's own, closed after its fixture. */
    private PostgresCluster ownCluster;

    @AfterEach
    void consumerOutputHoldsNoPassword() throws SQLException {
        if (fixture == null) {
            return;
        }
        try {
            outputs.assertNoPasswordNorPayload();
        } finally {
            try {
                fixture.close();
            } finally {
                if (ownCluster != null) {
                    ownCluster.close();
                }
            }
        }
    }

    @Test
    void shouldWriteTheSecretOfACreatedAndThenAlteredRoleAndExitCleanlyOnSigterm() throws Exception {
        fixture = SyncFixture.create("e2e_basic");
        fixture.database().manage("e2e\\_%");
        ConsumerProcess consumer = start();
        String role = RoleStatements.uniqueName("e2e");

        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("created-" + role));
            fixture.awaitSecretPassword(role, "created-" + role, SYNC_TIMEOUT);
            RoleStatements.alterPassword(superuser, role, password("altered-" + role));
        }
        JsonNode secret = fixture.awaitSecretPassword(role, "altered-" + role, SYNC_TIMEOUT);

        assertThat(secret.path("engine").asText()).isEqualTo("postgres");
        assertThat(secret.path("username").asText()).isEqualTo(role);
        assertThat(secret.path("dbname").asText()).isEqualTo(fixture.database().name());
        assertThat(secret.path("host").asText()).isEqualTo("127.0.0.1");
        assertThat(secret.path("port").asInt()).isEqualTo(fixture.database().postgres().port());
        assertLogsIn(secret);
        awaitEveryEventDelivered();
        assertThat(statuses(role)).containsExactly("synced", "synced");
        assertThat(MotoServer.shared().client().describeSecret(r -> r.secretId(fixture.secretName(role))).tags())
                .anySatisfy(tag -> assertThat(tag.key() + "=" + tag.value()).isEqualTo("owner=credsync-tests"));

        long start = System.nanoTime();
        assertThat(consumer.terminate(Duration.ofSeconds(10))).as("exit code after SIGTERM").isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldLoseNothingAndRegressNothingWhenKilledInTheMiddleOf500Changes() throws Exception {
        fixture = SyncFixture.create("e2e_kill");
        fixture.database().manage("kill\\_%");
        int roles = 50;
        int changesPerRole = 10;
        List<String> names = new ArrayList<>();
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            for (int i = 0; i < roles; i++) {
                String role = RoleStatements.uniqueName("kill");
                RoleStatements.createRoleWithoutPassword(superuser, role);
                names.add(role);
            }
        }
        ConsumerProcess first = start();
        Map<String, String> finalPasswords = new LinkedHashMap<>();
        AtomicInteger changes = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                for (int round = 0; round < changesPerRole; round++) {
                    for (String role : names) {
                        String password = password("kill-" + round + "-" + role);
                        RoleStatements.alterPassword(superuser, role, password);
                        synchronized (finalPasswords) {
                            finalPasswords.put(role, password);
                        }
                        changes.incrementAndGet();
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "password-changes");
        writer.start();
        await("200 password changes before the kill").atMost(SYNC_TIMEOUT).pollInterval(Duration.ofMillis(10))
                .until(() -> changes.get() >= 200 || !writer.isAlive());
        first.kill();
        writer.join();
        assertThat(changes.get()).isEqualTo(roles * changesPerRole);

        start();
        for (String role : names) {
            JsonNode secret = fixture.awaitSecretPassword(role, finalPasswords.get(role), Duration.ofSeconds(60));
            assertLogsIn(secret);
        }
        awaitEveryEventDelivered();
        assertThat(countWhere("d.status NOT IN ('synced', 'superseded')")).as("failed events").isZero();
        assertThat(countWhere("TRUE")).as("delivery rows").isEqualTo(roles * changesPerRole);
    }

    @Test
    // Longer than the default: five consumer starts, then up to a minute per role to catch up.
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @ExtendWith(SeededRandom.class)
    void shouldLoseNothingWhenKilledAtRandomPointsFiveTimesInOneRun(Random random) throws Exception {
        fixture = SyncFixture.create("e2e_kill5");
        fixture.database().manage("kill5\\_%");
        List<String> names = new ArrayList<>();
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            for (int i = 0; i < 20; i++) {
                String role = RoleStatements.uniqueName("kill5");
                RoleStatements.createRoleWithoutPassword(superuser, role);
                names.add(role);
            }
        }
        Map<String, String> finalPasswords = new ConcurrentHashMap<>();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                for (int round = 0; round < 15; round++) {
                    for (String role : names) {
                        String next = password("kill5-" + round + "-" + role);
                        RoleStatements.alterPassword(superuser, role, next);
                        finalPasswords.put(role, next);
                    }
                    Thread.sleep(300);
                }
            } catch (SQLException | InterruptedException e) {
                writerFailure.set(e);
            }
        }, "password-changes");
        writer.start();
        for (int kill = 0; kill < 5; kill++) {
            ConsumerProcess consumer = start();
            Thread.sleep(200 + random.nextInt(1500));
            consumer.kill();
        }
        writer.join();
        assertThat(writerFailure.get()).isNull();

        start();
        for (String role : names) {
            assertLogsIn(fixture.awaitSecretPassword(role, finalPasswords.get(role), Duration.ofSeconds(60)));
        }
        awaitEveryEventDelivered();
        assertThat(countWhere("d.status NOT IN ('synced', 'superseded')")).as("failed events").isZero();
    }

    @Test
    void shouldRecordTamperedAndUnknownKeyEventsAsFailedAndDeliverTheRest() throws Exception {
        fixture = SyncFixture.create("e2e_bad");
        fixture.database().manage("bad\\_%");
        String tampered = RoleStatements.uniqueName("bad");
        String unknownKey = RoleStatements.uniqueName("bad");
        String after = RoleStatements.uniqueName("bad");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, tampered, password("tampered-original"));
            // Flip one character of the ciphertext and insert it as a new event of the role.
            try (Statement statement = superuser.createStatement()) {
                statement.execute("INSERT INTO credsync.outbox (event_id, role_name, kid, envelope)"
                        + " SELECT gen_random_uuid(), role_name, kid,"
                        + " overlay(envelope placing (CASE WHEN substr(envelope, length(envelope) - 50, 1) = 'A'"
                        + " THEN 'B' ELSE 'A' END) from length(envelope) - 50 for 1)"
                        + " FROM credsync.outbox WHERE role_name = '" + tampered + "'");
            }
            // A key KMS has never heard of: its events cannot be unwrapped.
            fixture.database().addKey("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000",
                    RsaKeys.pair(2048).getPublic());
            RoleStatements.createRole(superuser, unknownKey, password("unknown-key-pass"));
            fixture.database().addKey(fixture.kmsKeyArn(), kmsPublicKeyPem());
            RoleStatements.createRole(superuser, after, password("after-bad-events"));
        }
        start();
        assertLogsIn(fixture.awaitSecretPassword(after, "after-bad-events", SYNC_TIMEOUT));
        awaitEveryEventDelivered();
        assertThat(statuses(tampered)).as("the tampered event fails, and the real one before it is written")
                .containsExactly("synced", "failed");
        assertThat(reasons(tampered).get(1)).startsWith("BAD_TAG");
        assertLogsIn(fixture.awaitSecretPassword(tampered, "tampered-original", SYNC_TIMEOUT));
        assertThat(statuses(unknownKey)).containsExactly("failed");
        assertThat(reasons(unknownKey).get(0)).startsWith("UNKNOWN_KEY");
        assertThat(fixture.secret(unknownKey)).isEmpty();
    }

    @Test
    void shouldWriteOnlyTheNewestOfSeveralPendingChangesOfOneRole() throws Exception {
        fixture = SyncFixture.create("e2e_coalesce");
        fixture.database().manage("coal\\_%");
        String role = RoleStatements.uniqueName("coal");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            for (int i = 1; i <= 5; i++) {
                RoleStatements.alterPassword(superuser, role, password("coalesce-" + i + "-" + role));
            }
        }
        start();
        assertLogsIn(fixture.awaitSecretPassword(role, "coalesce-5-" + role, SYNC_TIMEOUT));
        awaitEveryEventDelivered();
        assertThat(statuses(role)).containsExactly("superseded", "superseded", "superseded", "superseded", "synced");
        assertThat(MotoServer.shared().client()
                .listSecretVersionIds(r -> r.secretId(fixture.secretName(role))).versions())
                .as("one write for five changes").hasSize(1);
    }

    @Test
    void shouldNotLetAReplayedOldEventOverwriteANewerPassword() throws Exception {
        fixture = SyncFixture.create("e2e_replay");
        fixture.database().manage("replay\\_%");
        start();
        String role = RoleStatements.uniqueName("replay");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("replay-old-pass"));
            fixture.awaitSecretPassword(role, "replay-old-pass", SYNC_TIMEOUT);
            RoleStatements.alterPassword(superuser, role, password("replay-new-pass"));
            fixture.awaitSecretPassword(role, "replay-new-pass", SYNC_TIMEOUT);
            try (Statement statement = superuser.createStatement()) {
                statement.execute("SELECT credsync.replay(min(id)) FROM credsync.outbox WHERE role_name = '"
                        + role + "'");
            }
        }
        awaitEveryEventDelivered();
        assertThat(statuses(role)).containsExactly("synced", "synced", "superseded");
        assertLogsIn(fixture.secret(role).orElseThrow());
        assertThat(fixture.secret(role).orElseThrow().path("password").asText()).isEqualTo("replay-new-pass");
    }

    @Test
    void shouldNeverPublishAForgedPasswordAndLeaveTheRealSecretAlone() throws Exception {
        fixture = SyncFixture.create("e2e_forged");
        fixture.database().manage("forged\\_%");
        start();
        String role = RoleStatements.uniqueName("forged");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("the-real-one"));
            fixture.awaitSecretPassword(role, "the-real-one", SYNC_TIMEOUT);
            // A well-formed event whose password was never set: what a direct call of the hook makes.
            RoleStatements.execute(superuser, "SELECT credsync.capture('" + role + "', '"
                    + password("forged-password") + "', 'PASSWORD_TYPE_PLAINTEXT', NULL, true)");
        }
        awaitEveryEventDelivered();
        assertThat(statuses(role)).containsExactly("synced", "rejected");
        JsonNode secret = fixture.secret(role).orElseThrow();
        assertThat(secret.path("password").asText()).isEqualTo("the-real-one");
        assertLogsIn(secret);
    }

    @Test
    void shouldRotateAPasswordThatNobodySeesAndWhoseSecretLogsIn() throws Exception {
        fixture = SyncFixture.create("e2e_rotate");
        fixture.database().manage("rotate\\_%");
        start();
        String role = RoleStatements.uniqueName("rotate");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            // An existing role that credsync has never seen: rotating it is how it is adopted.
            RoleStatements.createRoleWithoutPassword(superuser, role);
        }
        SyncFixture.CliRun rotate = fixture.runCli("rotate", role);
        String cliOutput = rotate.output();
        assertThat(rotate.exitCode()).as(cliOutput).isZero();
        assertThat(cliOutput).startsWith("rotated the password of role " + role + ": event ");

        JsonNode secret = fixture.awaitSecret(role, s -> s.hasNonNull("password"), SYNC_TIMEOUT);
        assertLogsIn(secret);
        String rotated = password(secret.path("password").asText());
        assertThat(rotated).hasSize(32);
        NoPasswordIn.assertAbsent(cliOutput, "rotate's output", rotated);
        NoPasswordIn.assertAbsent(fixture.database().postgres().serverLog(), "the server log", rotated);
        awaitEveryEventDelivered();
        assertThat(statuses(role)).containsExactly("synced");
    }

    @Test
    void shouldRecoverFromASlotInvalidatedForHoldingTooMuchWalWithNoEventLost() throws Exception {
        ownCluster = PostgresCluster.start(CredsyncDatabase.clusterOptions().withSetting("max_slot_wal_keep_size", "32MB"));
        {
            fixture = SyncFixture.create(ownCluster, "e2e_lost");
            fixture.database().manage("lost\\_%");
            ConsumerProcess first = start();
            String role = RoleStatements.uniqueName("lost");
            try (Connection superuser = fixture.database().connectAsSuperuser();
                    Statement statement = superuser.createStatement()) {
                RoleStatements.createRole(superuser, role, password("before-the-slot-was-lost"));
                fixture.awaitSecretPassword(role, "before-the-slot-was-lost", SYNC_TIMEOUT);
                assertThat(first.terminate(Duration.ofSeconds(10))).isZero();

                RoleStatements.alterPassword(superuser, role, password("while-the-consumer-was-down"));
                statement.execute("CREATE TABLE lost_filler (x text)");
                // Each try writes more WAL past max_slot_wal_keep_size and checkpoints, until the slot is lost.
                await("the slot invalidated").atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1)).until(() -> {
                            if ("lost".equals(walStatus(statement))) {
                                return true;
                            }
                            statement.execute("INSERT INTO lost_filler SELECT repeat(md5(random()::text), 32)"
                                    + " FROM generate_series(1, 20000)");
                            statement.execute("CHECKPOINT");
                            return false;
                        });
                RoleStatements.alterPassword(superuser, role, password("after-the-slot-was-lost"));
            }

            ConsumerProcess second = start();
            assertLogsIn(fixture.awaitSecretPassword(role, "after-the-slot-was-lost", SYNC_TIMEOUT));
            awaitEveryEventDelivered();
            assertThat(statuses(role)).containsExactly("synced", "superseded", "synced");
            assertThat(second.output()).contains("was invalidated (wal_status lost)");
            try (Connection superuser = fixture.database().connectAsSuperuser();
                    Statement statement = superuser.createStatement()) {
                assertThat(walStatus(statement)).as("a new slot").isIn("reserved", "extended");
            }
        }
    }

    private String walStatus(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT coalesce(wal_status, 'none') FROM pg_replication_slots"
                + " WHERE slot_name = '" + fixture.slot() + "'")) {
            return rows.next() ? rows.getString(1) : "missing";
        }
    }

    @Test
    void shouldLoseNothingWhenTheSlotIsDroppedWhileTheConsumerIsDown() throws Exception {
        fixture = SyncFixture.create("e2e_dropped");
        fixture.database().manage("dropped\\_%");
        ConsumerProcess first = start();
        String role = RoleStatements.uniqueName("dropped");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("before-the-drop"));
            fixture.awaitSecretPassword(role, "before-the-drop", SYNC_TIMEOUT);
            assertThat(first.terminate(Duration.ofSeconds(10))).isZero();
            RoleStatements.execute(superuser, "SELECT pg_drop_replication_slot('" + fixture.slot() + "')");
            RoleStatements.alterPassword(superuser, role, password("while-there-was-no-slot"));
        }
        start();
        assertLogsIn(fixture.awaitSecretPassword(role, "while-there-was-no-slot", SYNC_TIMEOUT));
        awaitEveryEventDelivered();
        assertThat(statuses(role)).containsExactly("synced", "synced");
    }

    @Test
    void shouldReconnectByItselfWhenPostgresRestartsFastOrImmediately() throws Exception {
        fixture = SyncFixture.create("e2e_restart");
        fixture.database().manage("restart\\_%");
        start();
        String role = RoleStatements.uniqueName("restart");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("before-restarts"));
        }
        fixture.awaitSecretPassword(role, "before-restarts", SYNC_TIMEOUT);
        for (ShutdownMode mode : ShutdownMode.values()) {
            fixture.database().postgres().restart(mode);
            String next = password("after-" + mode + "-restart");
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.alterPassword(superuser, role, next);
            }
            assertLogsIn(fixture.awaitSecretPassword(role, next, SYNC_TIMEOUT));
        }
    }

    @Test
    void shouldNotMakeTheSlotHoldWalWhileTheOutboxIsIdle() throws Exception {
        fixture = SyncFixture.create("e2e_idle");
        start();
        awaitSlotActive();
        try (Connection superuser = fixture.database().connectAsSuperuser();
                Statement statement = superuser.createStatement()) {
            statement.execute("CREATE TABLE idle_filler (x text)");
            long before = walBytes(statement);
            while (walBytes(statement) - before < 64L * 1024 * 1024) {
                statement.execute("INSERT INTO idle_filler SELECT repeat(md5(random()::text), 32)"
                        + " FROM generate_series(1, 5000)");
            }
            await("the idle slot releasing the WAL of other writes").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(retainedWal(statement))
                            .as("WAL the idle slot holds after 64 MB of other writes").isLessThan(16L * 1024 * 1024));
            statement.execute("DROP TABLE idle_filler");
        }
    }

    private void awaitSlotActive() throws Exception {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement statement = superuser.prepareStatement(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            statement.setString(1, fixture.slot());
            await("the consumer streaming from its slot").atMost(SYNC_TIMEOUT).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        try (ResultSet rows = statement.executeQuery()) {
                            rows.next();
                            return rows.getLong(1) == 1;
                        }
                    });
        }
    }

    private static long walBytes(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private long retainedWal(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(),"
                + " confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = '" + fixture.slot() + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private ConsumerProcess start() {
        return outputs.consumer(fixture.startConsumer());
    }

    private String password(String value) {
        return SecretScan.password(outputs.password(value));
    }

    private String kmsPublicKeyPem() {
        byte[] der = LocalKms.shared().client()
                .getPublicKey(r -> r.keyId(fixture.kmsKeyArn())).publicKey().asByteArray();
        return RsaKeys.pem(der);
    }

    private void assertLogsIn(JsonNode secret) throws SQLException {
        assertThat(fixture.secretLogsIn(secret)).as("the secret's password logs in").isTrue();
    }

    private void awaitEveryEventDelivered() throws Exception {
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
    }

    private long countWhere(String condition) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                Statement statement = superuser.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM credsync.delivery d WHERE " + condition)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private List<String> statuses(String role) throws SQLException {
        return deliveryColumn(role, "d.status");
    }

    private List<String> reasons(String role) throws SQLException {
        return deliveryColumn(role, "coalesce(d.reason, '')");
    }

    private List<String> deliveryColumn(String role, String column) throws SQLException {
        return fixture.deliveryColumn(role, column);
    }
}
