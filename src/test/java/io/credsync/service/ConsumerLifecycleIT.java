package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.credsync.testing.ClusterOptions;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.FaultProxy;
import io.credsync.testing.LocalHttp;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.PortAllocator;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SecretScan;
import io.credsync.testing.ShutdownMode;
import io.credsync.testing.SyncFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer process from start to stop, as an orchestrator sees it: started before its
 * database, refused by it, waiting on AWS, and stopped by SIGTERM in the middle of a slow AWS
 * call. Real PostgreSQL, local-kms and moto; faults come from stopping the cluster and from a
 * {@link FaultProxy} in front of an emulator.
 */
class ConsumerLifecycleIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
    /** What RunCommand, the Dockerfile and the task definition promise from SIGTERM to exit. */
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(10);

    private final OutputWatch outputs = new OutputWatch();
    private SyncFixture fixture;
    private PostgresCluster ownCluster;

    @AfterEach
    void outputHoldsNoPassword() throws SQLException {
        try {
            outputs.assertNoPassword("\"password\"");
        } finally {
            try {
                if (fixture != null) {
                    if (ownCluster != null) {
                        ownCluster.start();
                    }
                    fixture.close();
                }
            } finally {
                if (ownCluster != null) {
                    ownCluster.close();
                }
            }
        }
    }

    @Test
    void shouldWaitNotReadyForADatabaseThatStartsAfterItAndThenDeliverWhatIsPending() throws Exception {
        ownCluster = PostgresCluster.start(ClusterOptions.defaults());
        fixture = SyncFixture.create(ownCluster, "life_late");
        fixture.database().manage("late\\_%");
        String role = RoleStatements.uniqueName("late");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("changed-while-no-consumer-ran"));
        }
        ownCluster.stop(ShutdownMode.FAST);

        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        awaitOutput(consumer, "waiting for the database");

        assertThat(status(consumer, "/health/live")).as("alive while it waits").isEqualTo(200);
        HttpResponse<String> ready = get(consumer, "/health/ready");
        assertThat(ready.statusCode()).as("not ready while it waits").isEqualTo(503);
        assertThat(ready.body()).contains("\"database\":false");
        assertThat(consumer.output()).contains("waiting for the database " + fixture.database().name() + " on 127.0.0.1:"
                + ownCluster.port()).contains("SQLState 08001").contains("database.startup_timeout");

        ownCluster.start();
        fixture.awaitSecretPassword(role, "changed-while-no-consumer-ran", SYNC_TIMEOUT);
        awaitReady(consumer, body -> body.contains("\"status\":\"up\""));
        assertThat(consumer.terminate(SHUTDOWN_LIMIT)).as("exit code after SIGTERM").isZero();
    }

    @Test
    void shouldExitZeroAtOnceOnSigtermWhileWaitingForTheDatabase() throws Exception {
        ownCluster = PostgresCluster.start(ClusterOptions.defaults());
        fixture = SyncFixture.create(ownCluster, "life_sigterm");
        ownCluster.stop(ShutdownMode.FAST);
        ConsumerProcess consumer = outputs.consumer(fixture.startConsumer());
        awaitOutput(consumer, "waiting for the database");

        long start = System.nanoTime();
        assertThat(consumer.terminate(SHUTDOWN_LIMIT)).as("exit code after SIGTERM").isZero();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void shouldFailAtOnceNamingThePasswordSettingWhenTheDatabaseRefusesTheCredentials() throws Exception {
        fixture = SyncFixture.create("life_badpw");
        long start = System.nanoTime();

        SyncFixture.CliRun run = fixture.runCli(Map.of("CREDSYNC_DATABASE_PASSWORD_ENV", "CREDSYNC_TEST_WRONG_PASSWORD",
                "CREDSYNC_TEST_WRONG_PASSWORD", password("not-the-superuser-password")), "run");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no waiting on a wrong password")
                .isLessThan(Duration.ofSeconds(20));
        assertThat(run.output()).contains("cannot start").contains("SQLState 28P01").contains("database.password_env")
                .doesNotContain("waiting for the database");
        outputs.output(run.output());
    }

    @Test
    void shouldFailAtOnceNamingTheSettingWhenTheDatabaseDoesNotExist() {
        fixture = createFixture("life_nodb");

        SyncFixture.CliRun run = fixture.runCli(Map.of("CREDSYNC_DATABASE_NAME", "no_such_database"), "run");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("SQLState 3D000").contains("database.name")
                .doesNotContain("waiting for the database");
    }

    @Test
    void shouldGiveUpNamingDatabaseStartupTimeoutWhenTheDatabaseNeverComes() {
        fixture = createFixture("life_never");
        int nothingListens = PortAllocator.freePort();
        long start = System.nanoTime();

        SyncFixture.CliRun run = fixture.runCli(Map.of("CREDSYNC_DATABASE_PORT", Integer.toString(nothingListens),
                "CREDSYNC_DATABASE_STARTUP_TIMEOUT", "3s"), "run");

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("waiting for the database").contains("did not take connections within"
                + " database.startup_timeout (PT3S)");
        assertThat(took).as("the wait, plus the JVM's start").isBetween(Duration.ofSeconds(3), Duration.ofSeconds(30));
    }

    @Test
    void shouldBeReadyAgainOnceKmsAnswersAlthoughTheEventItDecryptsIsThenRejected() throws Exception {
        fixture = createFixture("life_ready");
        fixture.database().manage("ready\\_%");
        try (FaultProxy kms = FaultProxy.start(LocalKms.shared().endpoint())) {
            ConsumerProcess consumer = outputs.consumer(fixture.startConsumer(Map.of("CREDSYNC_AWS_KMS_ENDPOINT",
                    kms.endpoint().toString())));
            String role = RoleStatements.uniqueName("ready");
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(superuser, role, password("the-real-one"));
                fixture.awaitSecretPassword(role, "the-real-one", SYNC_TIMEOUT);
                awaitReady(consumer, body -> body.contains("\"status\":\"up\""));

                kms.mode(FaultProxy.Mode.REFUSE);
                // A well-formed event whose password was never set: it decrypts, then fails its login check.
                RoleStatements.execute(superuser, "SELECT credsync.capture('" + role + "', '"
                        + password("never-set") + "', 'PASSWORD_TYPE_PLAINTEXT', NULL, true)");
            }
            String notReady = awaitReady(consumer, body -> body.contains("\"kms\":false"));
            assertThat(notReady).contains("\"secretsmanager\":true");

            kms.mode(FaultProxy.Mode.PASS);
            fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
            assertThat(fixture.deliveryColumn(role, "d.status")).containsExactly("synced", "rejected");
            // No secret is written after KMS answers: that answer alone makes the consumer ready.
            awaitReady(consumer, body -> body.contains("\"status\":\"up\""));
        }
    }

    @Test
    void shouldExitZeroWithinTenSecondsOfSigtermDuringASlowSecretsManagerCallAndDeliverTheEventAtTheNextStart()
            throws Exception {
        fixture = createFixture("life_stop");
        fixture.database().manage("stop\\_%");
        try (FaultProxy secretsManager = FaultProxy.start(MotoServer.shared().endpoint())) {
            Map<String, String> slowAws = Map.of("CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT",
                    secretsManager.endpoint().toString());
            ConsumerProcess consumer = outputs.consumer(fixture.startConsumer(slowAws));
            awaitReady(consumer, body -> body.contains("\"status\":\"up\""));
            // Longer than any timeout of the SDK: the call is answered only after the consumer gave up on it.
            secretsManager.latency(Duration.ofMinutes(1));
            String role = RoleStatements.uniqueName("stop");
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(superuser, role, password("delivered-after-restart"));
            }
            awaitAnswerHeldBack(secretsManager);

            long start = System.nanoTime();
            int exitCode = consumer.terminate(Duration.ofSeconds(20));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            System.out.println("SIGTERM to exit, with a Secrets Manager call in flight: " + took.toMillis() + " ms");
            assertThat(exitCode).as("exit code after SIGTERM").isZero();
            assertThat(took).as("SIGTERM to exit, with a Secrets Manager call in flight").isLessThan(SHUTDOWN_LIMIT);
            assertThat(fixture.pendingEvents()).as("the unfinished event is recorded as nothing").isEqualTo(1);
            assertThat(fixture.deliveryColumn(role, "d.status")).isEmpty();

            secretsManager.latency(Duration.ZERO);
            outputs.consumer(fixture.startConsumer(slowAws));
            fixture.awaitSecretPassword(role, "delivered-after-restart", SYNC_TIMEOUT);
            fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
            assertThat(fixture.deliveryColumn(role, "d.status")).containsExactly("synced");
        }
    }

    private SyncFixture createFixture(String prefix) {
        try {
            return SyncFixture.create(prefix);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the fixture " + prefix, e);
        }
    }

    private String password(String value) {
        return SecretScan.password(outputs.password(value));
    }

    private static void awaitOutput(ConsumerProcess consumer, String text) {
        await("\"" + text + "\" in the consumer's output").atMost(SYNC_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    // A consumer that exited will print nothing more: fail at once, with what it printed.
                    String output = consumer.output();
                    assertThat(consumer.isAlive()).as("the consumer runs; its output:\n" + output).isTrue();
                    return output.contains(text);
                });
    }

    private static void awaitAnswerHeldBack(FaultProxy proxy) {
        await("a call waiting for its answer").atMost(SYNC_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> proxy.answersHeldBack() > 0);
    }

    /** Polls /health/ready until its body satisfies {@code condition}; returns that body. */
    private static String awaitReady(ConsumerProcess consumer, Predicate<String> condition) {
        // On a timeout Awaitility shows the last body, which names checks, never a secret.
        return await("/health/ready reaching the expected state").atMost(SYNC_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50)).until(() -> get(consumer, "/health/ready").body(), condition::test);
    }

    private static int status(ConsumerProcess consumer, String path) throws IOException, InterruptedException {
        return get(consumer, path).statusCode();
    }

    private static HttpResponse<String> get(ConsumerProcess consumer, String path)
            throws IOException, InterruptedException {
        return LocalHttp.get(consumer.metricsPort(), path);
    }
}
