package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code events} against a real outbox: rows captured by real {@code CREATE ROLE} and
 * {@code ALTER ROLE} statements, with outcomes recorded as the consumer records them.
 */
class EventsCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static SyncFixture fixture;
    private static Path config;
    private static String alice;
    private static String bob;
    /** Outbox ids: alice's create (synced), bob's create (failed), alice's alter (pending). */
    private static long aliceSynced;
    private static long bobFailed;
    private static long alicePending;
    private static final List<String> secrets = new ArrayList<>();

    private final List<CommandRun> runs = new ArrayList<>();

    @BeforeAll
    static void captureThreeChanges() throws Exception {
        fixture = SyncFixture.create("cli_events");
        fixture.database().manage("ev\\_%");
        config = CliConfigFiles.write(dir, fixture);
        secrets.add(fixture.database().postgres().superuserPassword());
        alice = RoleStatements.uniqueName("ev");
        bob = RoleStatements.uniqueName("ev");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, alice, secret("events-alice-1"));
            RoleStatements.createRole(superuser, bob, secret("events-bob-1"));
            RoleStatements.alterPassword(superuser, alice, secret("events-alice-2"));
            aliceSynced = DeliveryRows.outboxIds(superuser, alice).get(0);
            alicePending = DeliveryRows.outboxIds(superuser, alice).get(1);
            bobFailed = DeliveryRows.outboxIds(superuser, bob).get(0);
            DeliveryRows.record(superuser, aliceSynced, "synced", null, "version-alice-1");
            DeliveryRows.record(superuser, bobFailed, "failed", "UNKNOWN_KEY: no such KMS key", null);
            secrets.addAll(DeliveryRows.envelopes(superuser));
        }
    }

    @AfterAll
    static void close() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @AfterEach
    void neitherPasswordsNorEnvelopesWerePrinted() {
        for (CommandRun run : runs) {
            assertThat(run.all()).as("a command's output").doesNotContain(secrets);
            // Any piece of a JWE (header, key, IV, ciphertext, tag) would start a base64url run.
            assertThat(run.all()).doesNotContain("eyJhbGciOi");
        }
    }

    @Test
    void listsEveryEventNewestFirstWithItsOutcome() {
        CommandRun run = events();

        assertThat(run.exitCode()).as("%s", run).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).startsWith("ID").contains("CREATED", "ROLE", "STATUS", "ATTEMPTS", "SECRET VERSION",
                "REPLAY OF", "REASON");
        assertThat(lines.subList(1, lines.size())).hasSize(3);
        assertThat(lines.get(1)).startsWith(alicePending + " ").contains(alice, "pending");
        assertThat(lines.get(2)).startsWith(bobFailed + " ").contains(bob, "failed", "UNKNOWN_KEY: no such KMS key");
        assertThat(lines.get(3)).startsWith(aliceSynced + " ").contains(alice, "synced", "version-alice-1");
    }

    @Test
    void filtersByStatusAndRoleAndLimits() throws Exception {
        assertThat(ids(events("--status", "failed", "--json"))).containsExactly(bobFailed);
        assertThat(ids(events("--status", "pending", "--status", "SYNCED", "--json")))
                .as("several statuses, any case").containsExactly(alicePending, aliceSynced);
        assertThat(ids(events("--role", alice, "--json"))).containsExactly(alicePending, aliceSynced);
        assertThat(ids(events("--role", bob, "--status", "synced", "--json"))).isEmpty();
        assertThat(ids(events("--limit", "1", "--json"))).containsExactly(alicePending);
        assertThat(events("--role", "nobody_at_all").out()).isEqualTo("no events\n");
    }

    @Test
    void jsonHoldsEveryFieldAndNoEnvelope() throws Exception {
        CommandRun run = events("--json");

        assertThat(run.out().strip().lines()).as("one line").hasSize(1);
        JsonNode failed = JSON.readTree(run.out()).path("events").get(1);
        assertThat(failed.path("id").asLong()).isEqualTo(bobFailed);
        assertThat(failed.path("role").asText()).isEqualTo(bob);
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("reason").asText()).isEqualTo("UNKNOWN_KEY: no such KMS key");
        assertThat(failed.path("secret_version").isNull()).isTrue();
        assertThat(failed.path("replay_of").isNull()).isTrue();
        assertThat(failed.path("created_at").asText()).endsWith("Z");
        assertThat(failed.path("delivered_at").asText()).endsWith("Z");
        assertThat(failed.path("event_id").asText()).hasSize(36);
        JsonNode pending = JSON.readTree(run.out()).path("events").get(0);
        assertThat(pending.path("status").asText()).isEqualTo("pending");
        assertThat(pending.path("attempts").isNull()).as("no delivery row, no attempts").isTrue();
        assertThat(failed.has("envelope")).isFalse();
    }

    @Test
    void anUnknownStatusOrLimitIsAUsageError() {
        CommandRun status = events("--status", "lost");
        assertThat(status.exitCode()).isEqualTo(2);
        assertThat(status.err()).contains("'lost' is not one of pending, synced, superseded, ignored, failed, rejected");
        CommandRun limit = events("--limit", "0");
        assertThat(limit.exitCode()).isEqualTo(2);
        assertThat(limit.err()).contains("--limit must be between 1 and 10000, got 0");
    }

    private CommandRun events(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        CommandRun run = CommandRun.of(new EventsCommand(), all.toArray(String[]::new));
        runs.add(run);
        return run;
    }

    private static List<Long> ids(CommandRun run) throws Exception {
        assertThat(run.exitCode()).as("%s", run).isZero();
        List<Long> ids = new ArrayList<>();
        JSON.readTree(run.out()).path("events").forEach(e -> ids.add(e.path("id").asLong()));
        return ids;
    }

    private static String secret(String value) {
        secrets.add(value);
        return value;
    }
}
