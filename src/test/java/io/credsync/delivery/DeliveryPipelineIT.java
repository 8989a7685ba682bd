package io.credsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.config.VerifyMode;
import io.credsync.connection.RetryPolicy;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.KeyUnwrapper;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretWriter;
import io.credsync.testing.ClusterConnector;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import io.credsync.testing.StubRsaKeyUnwrapper;
import io.credsync.verify.LoginVerifier;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The delivery pipeline's handling of Secrets Manager's answers, with a scripted writer in
 * place of AWS and the real outbox and delivery tables: transient failures are retried and
 * counted, permanent ones recorded with the AWS code while the rest goes on, and an interrupted
 * delivery records nothing.
 */
class DeliveryPipelineIT {

    private static final KeyPair KEYS = RsaKeys.pair(2048);
    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/pipeline";

    private CredsyncDatabase database;
    private VerifyMode verifyMode = VerifyMode.REQUIRED;
    private final StubRsaKeyUnwrapper keys = new StubRsaKeyUnwrapper().with(KID, KEYS.getPrivate());
    private KeyUnwrapper unwrapper = keys;
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws SQLException {
        database = CredsyncDatabase.create("pipeline");
        database.addKey(KID, KEYS.getPublic());
        database.manage("pipe\\_%");
    }

    @Test
    void shouldRetryTransientWriteFailuresAndCountTheAttempts() throws Exception {
        String role = changedRole("transient-retried");
        ScriptedSecretWriter writer = new ScriptedSecretWriter()
                .thenFail("ThrottlingException", true).thenFail("InternalServiceError", true);

        try (DeliveryPipeline pipeline = pipeline(writer, (duration -> sleeps.add(duration)))) {
            pipeline.deliver(pipeline.undelivered(0, 100), null);
        }

        assertThat(writer.calls()).hasSize(3);
        assertThat(writer.calls().get(2).password().reveal()).isEqualTo("transient-retried");
        assertThat(sleeps).as("one backoff wait per transient failure").hasSize(2);
        assertThat(deliveryRow(role)).containsEntry("status", "synced").containsEntry("attempts", "3");
    }

    @Test
    void shouldRecordAPermanentFailureWithItsAwsCodeAndDeliverTheOtherRoles() throws Exception {
        String refused = changedRole("permanent-refused");
        String fine = changedRole("delivered-anyway");
        ScriptedSecretWriter writer = new ScriptedSecretWriter().thenFail("AccessDeniedException", false);

        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add)) {
            pipeline.deliver(pipeline.undelivered(0, 100), null);
        }

        assertThat(deliveryRow(refused)).containsEntry("status", "failed").containsEntry("attempts", "1");
        assertThat(deliveryRow(refused).get("reason")).startsWith("AccessDeniedException: ");
        assertThat(deliveryRow(fine)).containsEntry("status", "synced");
        assertThat(sleeps).as("a permanent failure is not retried").isEmpty();
    }

    @Test
    void shouldRecordNothingWhenInterruptedWhileRetrying() throws Exception {
        String role = changedRole("interrupted-pass");
        ScriptedSecretWriter writer = new ScriptedSecretWriter().failingForever("ThrottlingException");
        Sleeper interruptedOnSecondWait = duration -> {
            sleeps.add(duration);
            if (sleeps.size() == 2) {
                throw new InterruptedException("stopping");
            }
        };

        try (DeliveryPipeline pipeline = pipeline(writer, interruptedOnSecondWait)) {
            List<OutboxEvent> events = pipeline.undelivered(0, 100);
            assertThatThrownBy(() -> pipeline.deliver(events, null)).isInstanceOf(InterruptedException.class);
        }

        assertThat(deliveryRow(role)).as("still pending, delivered again later").isEmpty();
    }

    @Test
    void shouldDeliverSeveralRolesAtOnceEachInOrderWritingOnlyItsNewestChange() throws Exception {
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String role = changedRole("first-" + i);
            try (Connection superuser = database.connectAsSuperuser()) {
                RoleStatements.alterPassword(superuser, role, "second-" + i);
                RoleStatements.alterPassword(superuser, role, "newest-" + i);
            }
            roles.add(role);
        }
        ConcurrencyProbe writer = new ConcurrencyProbe(new ScriptedSecretWriter());

        try (DeliveryPipeline pipeline = pipeline(writer, Sleeper.SYSTEM, 4)) {
            pipeline.deliver(pipeline.undelivered(0, 1_000), null);
            assertThat(pipeline.undelivered(0, 1_000)).isEmpty();
        }

        assertThat(writer.maxInFlight()).as("writes in flight at once").isBetween(2, 4);
        for (int i = 0; i < roles.size(); i++) {
            String role = roles.get(i);
            assertThat(writer.passwordsWritten(role)).as(role).containsExactly("newest-" + i);
            assertThat(deliveryRows(role)).extracting(row -> row.get("status"))
                    .containsExactly("superseded", "superseded", "synced");
        }
    }

    @Test
    void shouldStopEveryRoleWhenInterruptedAndRecordNothingUnfinished() throws Exception {
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            roles.add(changedRole("throttled-" + i));
        }
        ScriptedSecretWriter writer = new ScriptedSecretWriter().failingForever("ThrottlingException");
        AtomicInteger waits = new AtomicInteger();
        Sleeper interruptedOnThirdWait = duration -> {
            if (waits.incrementAndGet() == 3) {
                throw new InterruptedException("stopping");
            }
            Thread.sleep(duration.toMillis());
        };

        int callsWhenStopped;
        try (DeliveryPipeline pipeline = pipeline(writer, interruptedOnThirdWait, 4)) {
            List<OutboxEvent> events = pipeline.undelivered(0, 100);
            assertThatThrownBy(() -> pipeline.deliver(events, null)).isInstanceOf(InterruptedException.class);
            callsWhenStopped = writer.calls().size();
        }
        // Closing waits for the role threads to end: a task still running would have written by now.
        assertThat(writer.calls()).as("no role task runs on after deliver returned").hasSize(callsWhenStopped);
        for (String role : roles) {
            assertThat(deliveryRow(role)).as(role + ": still pending, delivered again later").isEmpty();
        }
    }

    @Test
    void shouldSkipEventsThatAlreadyHaveADeliveryRow() throws Exception {
        changedRole("delivered-once");
        ScriptedSecretWriter writer = new ScriptedSecretWriter();
        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add)) {
            List<OutboxEvent> events = pipeline.undelivered(0, 100);
            pipeline.deliver(events, null);
            pipeline.deliver(events, null);
            assertThat(pipeline.undelivered(0, 100)).isEmpty();
        }
        assertThat(writer.calls()).as("a redelivered event is not written again").hasSize(1);
    }

    @Test
    void shouldRejectAForgedEventWhosePasswordWasNeverSetAndLeaveTheSecretAlone() throws Exception {
        String role = changedRole("the-real-password");
        ScriptedSecretWriter writer = new ScriptedSecretWriter();
        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add)) {
            pipeline.deliver(pipeline.undelivered(0, 100), null);
            try (Connection superuser = database.connectAsSuperuser()) {
                // A well-formed event for a password that was never set, as anyone who may call
                // the hook (pg_tle's adapter is PUBLIC) could make one.
                RoleStatements.execute(superuser, "SELECT credsync.capture('" + role
                        + "', '" + SecretScan.password("forged-never-set") + "', 'PASSWORD_TYPE_PLAINTEXT', NULL, true)");
            }
            pipeline.deliver(pipeline.undelivered(0, 100), null);
        }
        assertThat(writer.calls()).as("only the real password was written").hasSize(1);
        assertThat(writer.calls().get(0).password().reveal()).isEqualTo("the-real-password");
        assertThat(deliveryRows(role)).extracting(row -> row.get("status")).containsExactly("synced", "rejected");
        assertThat(deliveryRows(role).get(1).get("reason")).startsWith("PasswordDoesNotLogIn: ");
    }

    @Test
    void shouldSupersedeAnOlderEventWhosePasswordWasChangedAgainWhileItWasDelivered() throws Exception {
        String role = changedRole("first-password");
        AtomicInteger unwraps = new AtomicInteger();
        unwrapper = (kid, encryptedKey) -> {
            if (unwraps.incrementAndGet() == 1) {
                // Between reading the batch and trying its password: a change that commits meanwhile.
                try (Connection superuser = database.connectAsSuperuser()) {
                    RoleStatements.alterPassword(superuser, role, "second-password");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            return keys.unwrap(kid, encryptedKey);
        };
        ScriptedSecretWriter writer = new ScriptedSecretWriter();
        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add)) {
            pipeline.deliver(pipeline.undelivered(0, 100), null);
            pipeline.deliver(pipeline.undelivered(0, 100), null);
        }
        assertThat(writer.calls()).extracting(update -> update.password().reveal()).containsExactly("second-password");
        assertThat(deliveryRows(role)).extracting(row -> row.get("status")).containsExactly("superseded", "synced");
        assertThat(deliveryRows(role).get(0).get("reason")).startsWith("PasswordReplaced: ");
    }

    @Test
    void shouldCoalesceARolesChangesCommittedSinceItsBatchWasReadIntoOneWrite() throws Exception {
        String role = changedRole("first-password");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.alterPassword(superuser, role, "second-password");
            RoleStatements.alterPassword(superuser, role, "third-password");
        }
        ScriptedSecretWriter writer = new ScriptedSecretWriter();
        List<OutboxEvent> events;
        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add)) {
            events = pipeline.undelivered(0, 100);
            pipeline.deliver(events.subList(0, 1), Lsn.of(0x1000));
            assertThat(pipeline.undelivered(0, 100)).as("the changes committed since are delivered too").isEmpty();
            pipeline.deliver(events.subList(1, 3), Lsn.of(0x2000));
        }
        assertThat(writer.calls()).extracting(update -> update.password().reveal()).containsExactly("third-password");
        assertThat(keys.attempts()).as("one decrypt: no older password tried in vain").isEqualTo(1);
        assertThat(deliveryRows(role)).extracting(row -> row.get("status"))
                .containsExactly("superseded", "superseded", "synced");
        assertThat(deliveryRows(role).get(0).get("reason")).isEqualTo("coalesced: event " + events.get(2).id()
                + " is newer for this role");
        assertThat(deliveryRows(role)).extracting(row -> row.get("lsn"))
                .as("only the event that came with the LSN is recorded with it")
                .containsExactly("0/1000", "", "");
    }

    @Test
    void shouldCoalesceTheChangesARoleGetsWhileItWaitsForTheWriteCeilingIntoItsOneWrite() throws Exception {
        String first = changedRole("first-role-password");
        String second = changedRole("second-role-old-password");
        AtomicInteger waits = new AtomicInteger();
        List<Duration> waited = new ArrayList<>();
        // Two writes a second, on a clock that moves only while the ceiling makes a write wait: the
        // second role waits half a second for its turn, and while it waits its password changes
        // twice more.
        AtomicLong clock = new AtomicLong();
        WriteRateLimiter ceiling = new WriteRateLimiter(2, clock::get, duration -> {
            if (waits.incrementAndGet() == 1) {
                try (Connection superuser = database.connectAsSuperuser()) {
                    RoleStatements.alterPassword(superuser, second, "second-role-newer-password");
                    RoleStatements.alterPassword(superuser, second, "second-role-newest-password");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            clock.addAndGet(duration.toNanos());
        });
        ScriptedSecretWriter writer = new ScriptedSecretWriter();
        DeliveryMetrics metrics = new DeliveryMetrics() {
            @Override
            public void recordOutcome(io.credsync.delivery.DeliveryStatus status, String reasonCode) {
            }

            @Override
            public void recordEventLag(Duration lag) {
            }

            @Override
            public void recordKmsCall(Duration duration, String errorCode) {
            }

            @Override
            public void recordSecretsManagerCall(Duration duration, String errorCode) {
            }

            @Override
            public void recordUnverifiedPublish() {
            }

            @Override
            public void recordWriteThrottled(Duration wait) {
                synchronized (waited) {
                    waited.add(wait);
                }
            }
        };
        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add, 1, metrics, ceiling)) {
            List<OutboxEvent> round = pipeline.undelivered(0, 100);
            assertThat(round).hasSize(2);
            pipeline.deliver(round, Lsn.of(0x3000));
            assertThat(pipeline.undelivered(0, 100)).as("the changes made while waiting were delivered with it")
                    .isEmpty();
        }

        assertThat(writer.calls()).extracting(update -> update.password().reveal())
                .as("one write per role, the newest password of each")
                .containsExactly("first-role-password", "second-role-newest-password");
        assertThat(keys.attempts()).as("one decrypt per write").isEqualTo(2);
        assertThat(deliveryRows(second)).extracting(row -> row.get("status"))
                .containsExactly("superseded", "superseded", "synced");
        assertThat(deliveryRows(first)).extracting(row -> row.get("status")).containsExactly("synced");
        assertThat(waits.get()).as("only the second write waited").isEqualTo(1);
        assertThat(waited).hasSize(1);
        assertThat(waited).as("half a second and 2 %").containsExactly(Duration.ofMillis(510));
    }

    @ParameterizedTest(name = "verify: {0}")
    @EnumSource(VerifyMode.class)
    void shouldFollowTheVerifySettingForARoleWithoutLogin(VerifyMode mode) throws Exception {
        verifyMode = mode;
        String role = RoleStatements.uniqueName("pipe");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.execute(superuser, "CREATE ROLE " + role + " NOLOGIN PASSWORD '"
                    + SecretScan.password("cannot-log-in") + "'");
        }
        ScriptedSecretWriter writer = new ScriptedSecretWriter();
        try (DeliveryPipeline pipeline = pipeline(writer, sleeps::add)) {
            pipeline.deliver(pipeline.undelivered(0, 100), null);
        }
        Map<String, String> row = deliveryRows(role).get(0);
        if (mode == VerifyMode.REQUIRED) {
            assertThat(row).containsEntry("status", "failed");
            assertThat(row.get("reason")).startsWith("CannotVerify: the role has no LOGIN");
            assertThat(writer.calls()).isEmpty();
        } else {
            assertThat(row).containsEntry("status", "synced");
            assertThat(writer.calls()).hasSize(1);
        }
    }

    private String changedRole(String password) throws SQLException {
        String role = RoleStatements.uniqueName("pipe");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password);
        }
        return role;
    }

    private DeliveryPipeline pipeline(ScriptedSecretWriter writer, Sleeper sleeper) {
        return pipeline(writer, sleeper, 1);
    }

    private DeliveryPipeline pipeline(SecretWriter writer, Sleeper sleeper, int concurrency) {
        return pipeline(writer, sleeper, concurrency, DeliveryMetrics.NONE, WriteRateLimiter.unlimited());
    }

    private DeliveryPipeline pipeline(SecretWriter writer, Sleeper sleeper, int concurrency, DeliveryMetrics metrics,
            WriteRateLimiter writeRate) {
        return new DeliveryPipeline(
                () -> new DeliveryStore(connector()), concurrency,
                new EnvelopeOpener(unwrapper),
                new LoginVerifier(connector(), Clock.systemUTC()),
                verifyMode,
                writer,
                new SecretNamer("{prefix}{database}/{role}", "test/", Map.of()),
                new SecretFields("postgres", "127.0.0.1", database.postgres().port(), database.name()),
                new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(100)),
                new SplittableRandom(1),
                sleeper,
                Clock.systemUTC(),
                metrics,
                writeRate);
    }

    private ClusterConnector connector() {
        return ClusterConnector.superuser(database.postgres(), database.name());
    }

    private Map<String, String> deliveryRow(String role) throws SQLException {
        List<Map<String, String>> rows = deliveryRows(role);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    private List<Map<String, String>> deliveryRows(String role) throws SQLException {
        List<Map<String, String>> result = new ArrayList<>();
        try (Connection superuser = database.connectAsSuperuser();
                PreparedStatement statement = superuser.prepareStatement("SELECT status, attempts::text,"
                        + " coalesce(reason, ''), coalesce(lsn::text, '') FROM credsync.delivery WHERE role_name = ?"
                        + " ORDER BY outbox_id")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    result.add(Map.of("status", rows.getString(1), "attempts", rows.getString(2),
                            "reason", rows.getString(3), "lsn", rows.getString(4)));
                }
            }
        }
        return result;
    }
}
