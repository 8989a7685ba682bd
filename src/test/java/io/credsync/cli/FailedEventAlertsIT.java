package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.LocalHttp;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts that mean something, with a real consumer: a rejected change counts in
 * {@code credsync_failed_events} and makes {@code status} exit 4 until its role syncs a newer
 * change, or until an operator dismisses it; then both clear, and {@code replay --all-failed}
 * finds nothing to do.
 */
class FailedEventAlertsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern FAILED_EVENTS = Pattern.compile("(?m)^credsync_failed_events(?:\\{[^}]*})? (\\S+)$");

    @TempDir
    Path dir;

    private SyncFixture fixture;
    private final OutputWatch outputs = new OutputWatch();

    @AfterEach
    void noPasswordWasEverPrinted() throws Exception {
        try {
            outputs.assertNoPassword();
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Test
    void aRejectedChangeNeedsActionUntilItsRoleSyncsANewerOneOrAnOperatorDismissesIt() throws Exception {
        fixture = SyncFixture.create("alerts");
        fixture.database().manage("alert\\_%");
        outputs.password(fixture.database().postgres().superuserPassword());
        Path config = CliConfigFiles.write(dir, fixture);
        ConsumerProcess consumer = fixture.startConsumer();
        String role = RoleStatements.uniqueName("alert");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, outputs.password("first-" + role));
        }
        fixture.awaitSecretPassword(role, "first-" + role, TIMEOUT);
        awaitStatus(config, run -> run.exitCode() == 0);

        recordWrongPassword(role, "wrong-" + role);
        awaitDeliveries(role, "synced", "rejected");

        CommandRun attention = awaitStatus(config, run -> run.exitCode() == StatusCommand.EXIT_ATTENTION);
        assertThat(attention.out()).contains("WARNING: 1 event has failed or been rejected and still needs action",
                "credsync dismiss ID --reason", "failed/rejected:  1 needing action");
        awaitFailedEventsMetric(consumer, 1);

        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.alterPassword(superuser, role, "third-" + role);
        }
        outputs.password("third-" + role);
        fixture.awaitSecretPassword(role, "third-" + role, TIMEOUT);
        awaitDeliveries(role, "synced", "rejected", "synced");

        CommandRun cleared = awaitStatus(config, run -> run.exitCode() == 0);
        assertThat(cleared.out()).as("the role has synced a newer change: nothing needs action")
                .contains("failed/rejected:  0 needing action", "Status: OK").doesNotContain("WARNING");
        awaitFailedEventsMetric(consumer, 0);
        CommandRun replay = command(new ReplayCommand(), config, "--all-failed");
        assertThat(replay.out()).as("replaying it would only be superseded")
                .isEqualTo("no failed or rejected events to replay\n");

        recordWrongPassword(role, "wrong-again-" + role);
        awaitDeliveries(role, "synced", "rejected", "synced", "rejected");
        awaitStatus(config, run -> run.exitCode() == StatusCommand.EXIT_ATTENTION);
        awaitFailedEventsMetric(consumer, 1);
        long rejected;
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            List<Long> ids = DeliveryRows.outboxIds(superuser, role);
            rejected = ids.get(ids.size() - 1);
        }

        CommandRun dismiss = command(new DismissCommand(), config, "--reason", "a test's wrong password",
                Long.toString(rejected));

        assertThat(dismiss.exitCode()).as(dismiss.toString()).isZero();
        assertThat(awaitStatus(config, run -> run.exitCode() == 0).out()).doesNotContain("WARNING");
        awaitFailedEventsMetric(consumer, 0);
        assertThat(fixture.secret(role).orElseThrow().path("password").asText())
                .as("the secret kept the last password that logs in").isEqualTo("third-" + role);
    }

    /**
     * A change recorded with a password the role does not have, as any managed role may record
     * its own through pg_tle's adapter: the consumer's login check rejects it.
     */
    private void recordWrongPassword(String role, String password) throws Exception {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement capture = superuser.prepareStatement(
                        "SELECT credsync.capture(?, ?, 'PASSWORD_TYPE_PLAINTEXT', NULL, true)")) {
            capture.setString(1, role);
            capture.setString(2, outputs.password(password));
            capture.execute();
        }
    }

    private void awaitDeliveries(String role, String... statuses) {
        await("the deliveries of " + role).atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(fixture.deliveryColumn(role, "d.status"))
                        .as("delivery statuses of %s", role).containsExactly(statuses));
    }

    private CommandRun awaitStatus(Path config, Predicate<CommandRun> done) {
        AtomicReference<CommandRun> last = new AtomicReference<>();
        await("status reaching the expected state").atMost(TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    last.set(command(new StatusCommand(), config));
                    assertThat(done.test(last.get())).as("the expected state; last: %s", last.get()).isTrue();
                });
        return last.get();
    }

    /** The consumer's gauges poll every 5 s. */
    private void awaitFailedEventsMetric(ConsumerProcess consumer, double expected) throws Exception {
        await("credsync_failed_events reaching " + expected).atMost(TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    String body = LocalHttp.get(consumer.metricsPort(), "/metrics").body();
                    outputs.output(body);
                    Matcher m = FAILED_EVENTS.matcher(body);
                    assertThat(m.find() ? Double.valueOf(m.group(1)) : null).as("credsync_failed_events")
                            .isEqualTo(expected);
                });
    }

    private CommandRun command(Object command, Path config, String... args) {
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        CommandRun run = CommandRun.of(command, all.toArray(String[]::new));
        outputs.output(run.all());
        return run;
    }
}
