package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} against a real outbox: each replay is a new outbox row made by
 * {@code credsync.replay}, pointing at the original event and keeping its event id.
 */
class ReplayCommandIT {

    private static final Pattern REPLAYED = Pattern.compile("replayed event (\\d+) as (\\d+)");

    @TempDir
    Path dir;

    private SyncFixture fixture;
    private Path config;
    private final OutputWatch outputs = new OutputWatch();

    @AfterEach
    void noPasswordWasPrinted() throws Exception {
        try {
            outputs.assertNoPassword();
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Test
    void replaysByIdAndExplainsAnIdThatDoesNotExist() throws Exception {
        setUp("cli_replay_id", "rid\\_%");
        String role = RoleStatements.uniqueName("rid");
        long original;
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("replay-id-" + role));
            original = DeliveryRows.outboxIds(superuser, role).get(0);
            DeliveryRows.record(superuser, original, "failed", "ServiceUnavailable: try later", null);
        }

        CommandRun run = replay(Long.toString(original), "987654321", Long.toString(original));

        assertThat(run.exitCode()).as("one of the ids failed: %s", run).isEqualTo(1);
        List<long[]> replayed = replayed(run);
        assertThat(replayed).as("the repeated id is replayed once: %s", run).hasSize(1);
        assertThat(replayed.get(0)[0]).isEqualTo(original);
        assertThat(run.err()).contains("cannot replay event 987654321: no such event (SQLState P0002");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            DeliveryRows.Replay copy = DeliveryRows.replayRow(superuser, replayed.get(0)[1]);
            assertThat(copy.replayOf()).isEqualTo(original);
            assertThat(copy.role()).isEqualTo(role);
            assertThat(copy.eventId()).as("a replay keeps the event id")
                    .isEqualTo(DeliveryRows.eventId(superuser, original));
        }
    }

    @Test
    void allFailedReplaysEachFailedOrRejectedChangeOnce() throws Exception {
        setUp("cli_replay_all", "rall\\_%");
        String failed = RoleStatements.uniqueName("rall");
        String rejected = RoleStatements.uniqueName("rall");
        String synced = RoleStatements.uniqueName("rall");
        long failedId;
        long rejectedId;
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, failed, password("replay-failed-" + failed));
            RoleStatements.createRole(superuser, rejected, password("replay-rejected-" + rejected));
            RoleStatements.createRole(superuser, synced, password("replay-synced-" + synced));
            failedId = DeliveryRows.outboxIds(superuser, failed).get(0);
            rejectedId = DeliveryRows.outboxIds(superuser, rejected).get(0);
            DeliveryRows.record(superuser, failedId, "failed", "BAD_TAG: tampered", null);
            DeliveryRows.record(superuser, rejectedId, "rejected", "PasswordDoesNotLogIn: 28P01", null);
            DeliveryRows.record(superuser, DeliveryRows.outboxIds(superuser, synced).get(0), "synced", null, "v1");
        }

        CommandRun first = replay("--all-failed");

        assertThat(first.exitCode()).as("%s", first).isZero();
        List<long[]> replayed = replayed(first);
        assertThat(replayed).extracting(r -> r[0]).containsExactly(failedId, rejectedId);
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            assertThat(DeliveryRows.replayRow(superuser, replayed.get(0)[1]).replayOf()).isEqualTo(failedId);
            assertThat(DeliveryRows.replayRow(superuser, replayed.get(1)[1]).replayOf()).isEqualTo(rejectedId);
        }

        CommandRun second = replay("--all-failed");
        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).as("their replays are pending: nothing to do")
                .isEqualTo("no failed or rejected events to replay\n");

        long failedAgain = replayed.get(0)[1];
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            DeliveryRows.record(superuser, failedAgain, "failed", "BAD_TAG: tampered", null);
        }
        CommandRun third = replay("--all-failed");
        assertThat(replayed(third)).as("the latest attempt failed again: it is replayed, not the original")
                .extracting(r -> r[0]).containsExactly(failedAgain);
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            assertThat(DeliveryRows.replayRow(superuser, replayed(third).get(0)[1]).replayOf())
                    .as("a replay of a replay points at the original").isEqualTo(failedId);
        }
    }

    @Test
    void aRoleThatMayNotReplayIsToldHowToGetThePrivilege() throws Exception {
        setUp("cli_replay_denied", "rdenied\\_%");
        String user = RoleStatements.uniqueName("cli_nopriv");
        String userPassword = password("replay-denied-" + user);
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, user, userPassword);
        }
        Path password = dir.resolve("nopriv-password");
        Files.writeString(password, userPassword, StandardCharsets.UTF_8);
        String yaml = Files.readString(config, StandardCharsets.UTF_8)
                .replace("  user: " + fixture.database().postgres().superuser() + "\n", "  user: " + user + "\n")
                .replaceAll("  password_file: .*\n", Matcher.quoteReplacement("  password_file: " + password + "\n"));
        config = dir.resolve("nopriv.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);

        CommandRun run = replay("1");

        assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
        assertThat(run.err()).contains("cannot replay event 1: permission denied (SQLState 42501): " + user
                + " may not call credsync.replay", "GRANT USAGE ON SCHEMA credsync TO " + user,
                "GRANT EXECUTE ON FUNCTION credsync.replay(bigint) TO " + user);

        // The advice is complete: after exactly those grants the call gets past the privilege check.
        try (Connection superuser = fixture.database().connectAsSuperuser();
                Statement statement = superuser.createStatement()) {
            statement.execute("GRANT USAGE ON SCHEMA credsync TO " + user);
            statement.execute("GRANT EXECUTE ON FUNCTION credsync.replay(bigint) TO " + user);
        }
        CommandRun granted = replay("999999");
        assertThat(granted.err()).as("%s", granted).doesNotContain("42501").contains("no such event");
    }

    @Test
    void idsAndAllFailedTogetherOrNeitherAreUsageErrors() throws Exception {
        setUp("cli_replay_usage", "rusage\\_%");
        CommandRun both = replay("--all-failed", "1");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("give either event ids or --all-failed, not both");
        CommandRun neither = replay();
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("give the ids of the events to replay, or --all-failed");
        CommandRun notANumber = replay("seven");
        assertThat(notANumber.exitCode()).isEqualTo(2);
    }

    private void setUp(String prefix, String pattern) throws Exception {
        fixture = SyncFixture.create(prefix);
        fixture.database().manage(pattern);
        outputs.password(fixture.database().postgres().superuserPassword());
        config = CliConfigFiles.write(dir, fixture);
    }

    private CommandRun replay(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        CommandRun run = CommandRun.of(new ReplayCommand(), all.toArray(String[]::new));
        outputs.output(run.all());
        return run;
    }

    /** The (original, new) id pairs the command printed, in order. */
    private static List<long[]> replayed(CommandRun run) {
        List<long[]> pairs = new ArrayList<>();
        Matcher m = REPLAYED.matcher(run.out());
        while (m.find()) {
            pairs.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return pairs;
    }

    private String password(String value) {
        return outputs.password(value);
    }
}
