package io.credsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.LocalHttp;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two {@code credsync run} processes against one database and one slot, as the ECS service
 * runs them: one streams (its /health/ready answers 200), the other waits (503). Passwords keep
 * changing while the active one is stopped, by SIGTERM or by SIGKILL; the other must take over
 * within 15 s, and nothing may be lost: every role's secret ends with its last password, which
 * logs in, and every event has its delivery row.
 */
class HighAvailabilityIT {

    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(15);
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final int ROLES = 8;

    private final OutputWatch outputs = new OutputWatch();
    private SyncFixture fixture;

    @AfterEach
    void outputHoldsNoPasswordAndClose() throws SQLException {
        if (fixture == null) {
            return;
        }
        try {
            outputs.assertNoPassword();
        } finally {
            fixture.close();
        }
    }

    @Test
    void shouldTakeOverWithinFifteenSecondsAndLoseNothingWhenTheActiveInstanceIsStopped() throws Exception {
        takeOver(false);
    }

    @Test
    void shouldTakeOverWithinFifteenSecondsAndLoseNothingWhenTheActiveInstanceIsKilled() throws Exception {
        takeOver(true);
    }

    private void takeOver(boolean kill) throws Exception {
        String mode = kill ? "SIGKILL" : "SIGTERM";
        fixture = SyncFixture.create(kill ? "ha_kill" : "ha_term");
        fixture.database().manage("ha\\_%");
        List<String> roles = new ArrayList<>();
        String probe = RoleStatements.uniqueName("ha");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            for (int i = 0; i < ROLES; i++) {
                String role = RoleStatements.uniqueName("ha");
                RoleStatements.createRoleWithoutPassword(superuser, role);
                roles.add(role);
            }
            RoleStatements.createRoleWithoutPassword(superuser, probe);
        }

        ConsumerProcess first = start();
        ConsumerProcess second = start();
        ConsumerProcess active = awaitSingleActive(first, second);
        ConsumerProcess standby = active == first ? second : first;
        assertThat(LocalHttp.status(standby.metricsPort(), "/health/live")).as("the standby is alive").isEqualTo(200);

        Map<String, String> finalPasswords = new ConcurrentHashMap<>();
        AtomicInteger changes = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                for (int round = 0; !stop.get(); round++) {
                    for (String role : roles) {
                        String password = password("ha-" + round + "-" + UUID.randomUUID());
                        RoleStatements.alterPassword(superuser, role, password);
                        finalPasswords.put(role, password);
                        changes.incrementAndGet();
                        // About 20 changes a second: steady work that the active one keeps up
                        // with, so that what is measured is the takeover, not a backlog.
                        Thread.sleep(40);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                writerFailure.set(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ha-password-changes");
        writer.start();
        // The active instance is at work before it is stopped.
        fixture.awaitSecret(roles.get(0), s -> s.hasNonNull("password"), SYNC_TIMEOUT);
        await("three rounds of password changes before the stop").atMost(SYNC_TIMEOUT)
                .pollInterval(Duration.ofMillis(10)).until(() -> changes.get() >= 3 * ROLES || !writer.isAlive());

        long stoppedAt = System.nanoTime();
        if (kill) {
            active.kill();
        } else {
            assertThat(active.terminate(Duration.ofSeconds(12))).as("exit code after SIGTERM").isZero();
        }
        assertThat(active.isAlive()).isFalse();
        long exitedAt = System.nanoTime();
        String probePassword = password("ha-probe-" + UUID.randomUUID());
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.alterPassword(superuser, probe, probePassword);
        }

        long readyAt = awaitReady(standby, stoppedAt + TAKEOVER_LIMIT.toNanos());
        fixture.awaitSecretPassword(probe, probePassword,
                Duration.ofNanos(Math.max(0, stoppedAt + TAKEOVER_LIMIT.toNanos() - System.nanoTime())));
        long probeSyncedAt = System.nanoTime();

        // Keep changing passwords for a while on the new active instance, then stop.
        Thread.sleep(2000);
        stop.set(true);
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(writerFailure.get()).as("the password changes").isNull();

        for (String role : roles) {
            assertLogsIn(fixture.awaitSecretPassword(role, finalPasswords.get(role), SYNC_TIMEOUT));
        }
        assertLogsIn(fixture.secret(probe).orElseThrow());
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
        Map<String, Long> statuses = statuses();
        assertThat(statuses.keySet()).as("delivery statuses").isSubsetOf("synced", "superseded");
        assertThat(statuses.values().stream().mapToLong(Long::longValue).sum()).as("delivery rows")
                .isEqualTo(count("SELECT count(*) FROM credsync.outbox"));
        assertThat(standby.isAlive()).isTrue();
        assertThat(LocalHttp.status(standby.metricsPort(), "/health/ready")).isEqualTo(200);

        String report = String.format("takeover after %s: the active exited %d ms after the signal; the standby"
                + " was ready %d ms and the first change after the stop reached its secret %d ms after the signal;"
                + " %d changes of %d roles, deliveries %s", mode, millis(exitedAt - stoppedAt),
                millis(readyAt - stoppedAt), millis(probeSyncedAt - stoppedAt), changes.get() + 1, ROLES + 1,
                statuses);
        System.out.println(report);
        assertThat(Duration.ofNanos(readyAt - stoppedAt)).as(report).isLessThan(TAKEOVER_LIMIT);
        assertThat(Duration.ofNanos(probeSyncedAt - stoppedAt)).as(report).isLessThan(TAKEOVER_LIMIT);
    }

    /** Waits until exactly one of the two is ready (streams) and the other answers 503, twice in a row. */
    private static ConsumerProcess awaitSingleActive(ConsumerProcess a, ConsumerProcess b) {
        AtomicReference<ConsumerProcess> candidate = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger();
        try {
            await("exactly one instance ready, the other answering 503, twice in a row").atMost(SYNC_TIMEOUT)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                        int readyA = LocalHttp.status(a.metricsPort(), "/health/ready");
                        int readyB = LocalHttp.status(b.metricsPort(), "/health/ready");
                        ConsumerProcess now = readyA == 200 && readyB == 503 ? a
                                : readyB == 200 && readyA == 503 ? b : null;
                        seen.set(now != null && now == candidate.get() ? seen.get() + 1 : now != null ? 1 : 0);
                        candidate.set(now);
                        assertThat(seen.get()).as("polls in a row with one instance ready (last /health/ready: %d/%d)",
                                readyA, readyB).isGreaterThanOrEqualTo(2);
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; their output:\n" + a.output(), e);
        }
        return candidate.get();
    }

    /** Polls /health/ready until it answers 200, at most until {@code deadline}; returns when (System.nanoTime()). */
    private static long awaitReady(ConsumerProcess consumer, long deadline) {
        await("the standby ready within " + TAKEOVER_LIMIT).atMost(Duration.ofNanos(Math.max(1_000_000,
                deadline - System.nanoTime()))).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> LocalHttp.status(consumer.metricsPort(), "/health/ready") == 200);
        return System.nanoTime();
    }

    private Map<String, Long> statuses() throws SQLException {
        Map<String, Long> statuses = new LinkedHashMap<>();
        try (Connection superuser = fixture.database().connectAsSuperuser();
                Statement statement = superuser.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT status, count(*) FROM credsync.delivery GROUP BY status ORDER BY status")) {
            while (rows.next()) {
                statuses.put(rows.getString(1), rows.getLong(2));
            }
        }
        return statuses;
    }

    private long count(String sql) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                Statement statement = superuser.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void assertLogsIn(JsonNode secret) throws SQLException {
        try (Connection login = fixture.database().postgres().connect(secret.path("dbname").asText(),
                secret.path("username").asText(), secret.path("password").asText())) {
            assertThat(login.isValid(5)).as("the secret's password logs in").isTrue();
        }
    }

    private ConsumerProcess start() {
        return outputs.consumer(fixture.startConsumer());
    }

    private String password(String value) {
        return outputs.password(value);
    }

    private static long millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }
}
