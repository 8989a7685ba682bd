package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} against a real cluster, before, while and after a real consumer runs: the
 * report must name the slot's holder when there is one, and make an abandoned slot impossible
 * to miss when there is not.
 */
class StatusCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
    void beforeAnyConsumerRanTheMissingSlotIsAWarningAndExit4() throws Exception {
        fixture = SyncFixture.create("cli_status_new");
        Path config = config();

        CommandRun text = status("--config", config.toString());
        assertThat(text.exitCode()).as("exit code, %s", text).isEqualTo(StatusCommand.EXIT_ATTENTION);
        assertThat(text.out()).contains("WARNING: replication slot " + fixture.slot() + " does not exist")
                .as("the advice names the configuration to start the consumer with")
                .contains("credsync run --config " + config)
                .contains("Status: ATTENTION");

        JsonNode json = json(status("--config", config.toString(), "--json"));
        assertThat(json.path("status").asText()).isEqualTo("attention");
        assertThat(json.path("database").asText()).isEqualTo(fixture.database().name());
        assertThat(json.path("slot").path("name").asText()).isEqualTo(fixture.slot());
        assertThat(json.path("slot").path("exists").asBoolean(true)).isFalse();
        assertThat(json.path("slot").path("retained_wal_bytes").isNull()).as("no slot, no figure").isTrue();
        assertThat(json.path("warnings").get(0).path("code").asText()).isEqualTo("slot_missing");
    }

    @Test
    void showsWhoHoldsTheSlotAndTheLastSyncThenWarnsOfTheAbandonedSlotOnceTheConsumerStops() throws Exception {
        fixture = SyncFixture.create("cli_status_run");
        fixture.database().manage("stat\\_%");
        Path config = config();
        ConsumerProcess consumer = fixture.startConsumer();
        String role = RoleStatements.uniqueName("stat");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("status-first-" + role));
        }
        fixture.awaitSecretPassword(role, "status-first-" + role, TIMEOUT);

        // The secret is written before its delivery row: wait for the row too.
        CommandRun healthy = awaitStatus(config, run -> run.exitCode() == 0 && !run.out().contains("never"));
        assertThat(healthy.out()).contains("active:           yes, held by pid").contains("credsync from 127.0.0.1")
                .contains("Status: OK").doesNotContain("WARNING");
        assertThat(healthy.out()).as("the role's row").containsPattern(role + "\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d ");

        JsonNode json = json(status("--config", config.toString(), "--json"));
        String currentVersion = MotoServer.shared().client()
                .getSecretValue(r -> r.secretId(fixture.secretName(role))).versionId();
        assertThat(json.path("status").asText()).isEqualTo("ok");
        JsonNode slot = json.path("slot");
        assertThat(slot.path("active").asBoolean()).isTrue();
        assertThat(slot.path("active_pid").isInt()).as("active_pid in %s", slot).isTrue();
        assertThat(slot.path("application_name").asText()).isEqualTo("credsync");
        assertThat(slot.path("client_addr").asText()).isEqualTo("127.0.0.1");
        assertThat(slot.path("plugin").asText()).isEqualTo("pgoutput");
        assertThat(slot.path("wal_status").asText()).isEqualTo("reserved");
        assertThat(slot.path("retained_wal_bytes").asLong(-1)).isNotNegative();
        assertThat(slot.path("lag_bytes").asLong(-1)).isNotNegative();
        assertThat(json.path("events").path("pending").asLong(-1)).isZero();
        assertThat(json.path("events").path("failed").asLong(-1)).isZero();
        JsonNode roleNode = roleNode(json, role);
        assertThat(roleNode.path("managed").asBoolean()).isTrue();
        assertThat(roleNode.path("secret_version").asText()).as("the version the consumer wrote")
                .isEqualTo(currentVersion);
        assertThat(roleNode.path("last_synced_at").asText()).isNotEmpty();

        assertThat(consumer.terminate(Duration.ofSeconds(10))).isZero();

        CommandRun abandoned = status("--config", config.toString());
        assertThat(abandoned.exitCode()).as("%s", abandoned).isEqualTo(StatusCommand.EXIT_ATTENTION);
        assertThat(abandoned.out().lines().findFirst().orElseThrow()).startsWith("credsync status of database");
        assertThat(abandoned.out())
                .as("the warning comes before the details, with both ways out")
                .containsSubsequence("WARNING: replication slot " + fixture.slot() + " is not active and holds",
                        "start the consumer: credsync run --config " + config,
                        "SELECT pg_catalog.pg_drop_replication_slot('" + fixture.slot() + "');",
                        "Replication slot " + fixture.slot(), "active:           NO");
        JsonNode after = json(status("--config", config.toString(), "--json"));
        assertThat(after.path("slot").path("active").asBoolean(true)).isFalse();
        assertThat(after.path("slot").path("active_pid").isNull()).isTrue();
        assertThat(after.path("slot").path("retained_wal_bytes").isNumber()).isTrue();
        assertThat(after.path("warnings").get(0).path("code").asText()).isEqualTo("slot_inactive");
        assertThat(after.path("warnings").get(0).path("advice").toString())
                .contains("pg_drop_replication_slot('" + fixture.slot() + "')");
    }

    @Test
    void aFailedEventAndAnOldPendingOneNeedAttention() throws Exception {
        fixture = SyncFixture.create("cli_status_failed");
        fixture.database().manage("sfail\\_%");
        Path config = config();
        String failed = RoleStatements.uniqueName("sfail");
        String pending = RoleStatements.uniqueName("sfail");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, failed, password("status-failed-" + failed));
            RoleStatements.createRole(superuser, pending, password("status-pending-" + pending));
            DeliveryRows.record(superuser, DeliveryRows.outboxIds(superuser, failed).get(0), "failed",
                    "AccessDeniedException: not allowed", null);
        }

        CommandRun run = status("--config", config.toString(), "--max-pending-age", "1ms");
        assertThat(run.exitCode()).as("%s", run).isEqualTo(StatusCommand.EXIT_ATTENTION);
        assertThat(run.out()).contains("WARNING: 1 event has failed or been rejected")
                .contains("credsync events --status failed --status rejected")
                .contains("credsync replay --all-failed")
                .contains("WARNING: 1 event is pending, the oldest for")
                .contains("failed/rejected:  1");

        JsonNode json = json(status("--config", config.toString(), "--json"));
        assertThat(json.path("events").path("failed").asLong()).isEqualTo(1);
        assertThat(json.path("events").path("pending").asLong()).isEqualTo(1);
        assertThat(json.path("events").path("oldest_pending_age_seconds").asDouble(-1)).isNotNegative();
        assertThat(json.path("warnings").findValuesAsText("code"))
                .as("the default --max-pending-age of 5m is not exceeded yet")
                .containsExactly("slot_missing", "failed_events");
        assertThat(roleNode(json, failed).path("last_synced_at").isNull()).as("never synced").isTrue();
    }

    private Path config() throws Exception {
        outputs.password(fixture.database().postgres().superuserPassword());
        return CliConfigFiles.write(dir, fixture);
    }

    private CommandRun status(String... args) {
        CommandRun run = CommandRun.of(new StatusCommand(), args);
        outputs.output(run.all());
        return run;
    }

    /** Status until its run satisfies {@code done}: the consumer takes a moment to stream and record. */
    private CommandRun awaitStatus(Path config, Predicate<CommandRun> done) {
        AtomicReference<CommandRun> last = new AtomicReference<>();
        await("status reaching the expected state").atMost(TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    last.set(status("--config", config.toString()));
                    assertThat(done.test(last.get())).as("the expected state; last: %s", last.get()).isTrue();
                });
        return last.get();
    }

    private static JsonNode json(CommandRun run) throws Exception {
        assertThat(run.out().strip().lines()).as("one line of JSON: %s", run).hasSize(1);
        return JSON.readTree(run.out());
    }

    private static JsonNode roleNode(JsonNode json, String role) {
        for (JsonNode node : json.path("roles")) {
            if (role.equals(node.path("role").asText())) {
                return node;
            }
        }
        throw new AssertionError("no role " + role + " in " + json.path("roles"));
    }

    private String password(String value) {
        return outputs.password(value);
    }
}
