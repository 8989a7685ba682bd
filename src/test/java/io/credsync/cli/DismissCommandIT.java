package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dismiss}, {@code credsync.dismiss} and what a dismissal or a newer synced change does to
 * {@code replay --all-failed} and {@code events}, against a real database whose outbox rows the
 * hook wrote.
 */
class DismissCommandIT {

    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/dismiss";

    @TempDir
    Path dir;

    private final OutputWatch outputs = new OutputWatch();
    private CredsyncDatabase database;
    private Path config;

    @BeforeEach
    void databaseWithManagedRoles() throws Exception {
        database = CredsyncDatabase.create("cli_dismiss");
        database.addKey(KID, RsaKeys.pair(2048).getPublic());
        database.manage("dis\\_%");
        config = InstallCliSupport.superuserConfig(dir, database.postgres(), database.name());
        outputs.password(database.postgres().superuserPassword());
    }

    @AfterEach
    void noPasswordWasPrinted() throws Exception {
        outputs.assertNoPassword();
    }

    @Test
    void dismissingAFailedEventRecordsWhoWhenAndWhyAndTheFirstDismissalStands() throws Exception {
        long rejected = changeRecordedAs("rejected", "PasswordDoesNotLogIn: 28P01");

        CommandRun run = command(new DismissCommand(), "--reason", "a typo, corrected by hand", Long.toString(rejected));
        CommandRun again = command(new DismissCommand(), "--reason", "another reason", Long.toString(rejected));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("dismissed event " + rejected + "\n");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo("event " + rejected + " was dismissed already: its first dismissal stands\n");
        try (Connection c = database.connectAsSuperuser();
                PreparedStatement select = c.prepareStatement("SELECT reason, dismissed_by, dismissed_at IS NOT NULL"
                        + " FROM credsync.dismissal WHERE outbox_id = ?")) {
            select.setLong(1, rejected);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("a typo, corrected by hand");
                assertThat(row.getString(2)).isEqualTo(database.postgres().superuser());
                assertThat(row.getBoolean(3)).isTrue();
            }
        }
        JsonNode event = eventJson(rejected);
        assertThat(event.path("status").asText()).isEqualTo("rejected");
        assertThat(event.path("needs_action").asBoolean(true)).isFalse();
        assertThat(event.path("resolved_by").asText()).isEqualTo("dismissed");
        assertThat(event.path("dismissal").path("by").asText()).isEqualTo(database.postgres().superuser());
        assertThat(event.path("dismissal").path("reason").asText()).isEqualTo("a typo, corrected by hand");
        assertThat(command(new EventsCommand(), "--status", "rejected").out())
                .contains("rejected (dismissed)", "dismissed by " + database.postgres().superuser() + " at ",
                        ": a typo, corrected by hand; was: PasswordDoesNotLogIn: 28P01");
    }

    @Test
    void onlyAFailedOrRejectedEventCanBeDismissedAndEachRefusalSaysWhy() throws Exception {
        long synced = changeRecordedAs("synced", null);
        long pending = changeRecordedAs(null, null);

        CommandRun run = command(new DismissCommand(), "--reason", "why not", Long.toString(synced),
                Long.toString(pending), "987654321");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("cannot dismiss event " + synced + ": credsync event " + synced
                        + " is synced, not failed or rejected: only those can be dismissed (SQLState 55000)",
                "cannot dismiss event " + pending + ": credsync event " + pending + " is still pending",
                "cannot dismiss event 987654321: no such event (SQLState P0002");
        assertThat(count("SELECT count(*) FROM credsync.dismissal")).isZero();
    }

    @Test
    void aDismissalNeedsAReason() throws Exception {
        long failed = changeRecordedAs("failed", "AccessDeniedException: not allowed");

        CommandRun blank = command(new DismissCommand(), "--reason", "  ", Long.toString(failed));
        CommandRun none = command(new DismissCommand(), Long.toString(failed));

        assertThat(blank.exitCode()).isEqualTo(2);
        assertThat(blank.err()).contains("--reason must say why");
        assertThat(none.exitCode()).isEqualTo(2);
        try (Connection c = database.connectAsSuperuser()) {
            assertThatThrownBy(() -> RoleStatements.execute(c, "SELECT credsync.dismiss(" + failed + ", ' ')"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22004"));
        }
    }

    @Test
    void aRoleWithoutTheGrantMayNotDismissAndIsToldHowToGetIt() throws Exception {
        long failed = changeRecordedAs("failed", "AccessDeniedException: not allowed");
        String user = RoleStatements.uniqueName("cli_nodismiss");
        String userPassword = outputs.password("dismiss-denied-" + user);
        try (Connection c = database.connectAsSuperuser()) {
            RoleStatements.createRole(c, user, userPassword);
        }
        Path password = Files.writeString(dir.resolve("nodismiss-password"), userPassword, StandardCharsets.UTF_8);
        String yaml = Files.readString(config, StandardCharsets.UTF_8)
                .replace("  user: " + database.postgres().superuser() + "\n", "  user: " + user + "\n")
                .replaceAll("  password_file: .*\n", Matcher.quoteReplacement("  password_file: " + password + "\n"));
        Path userConfig = Files.writeString(dir.resolve("nodismiss.yaml"), yaml, StandardCharsets.UTF_8);

        CommandRun run = commandWith(userConfig, new DismissCommand(), "--reason", "mine", Long.toString(failed));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("permission denied (SQLState 42501): " + user + " may not call credsync.dismiss",
                "GRANT USAGE ON SCHEMA credsync TO " + user + "; GRANT EXECUTE ON FUNCTION credsync.dismiss(bigint, text)"
                        + " TO " + user);
        try (Connection c = database.connectAsSuperuser()) {
            RoleStatements.execute(c, "GRANT USAGE ON SCHEMA credsync TO " + user);
            RoleStatements.execute(c, "GRANT EXECUTE ON FUNCTION credsync.dismiss(bigint, text) TO " + user);
        }
        CommandRun granted = commandWith(userConfig, new DismissCommand(), "--reason", "mine", Long.toString(failed));
        assertThat(granted.exitCode()).as(granted.toString()).isZero();
        assertThat(count("SELECT count(*) FROM credsync.dismissal WHERE dismissed_by = '" + user + "'"))
                .as("recorded as the login that dismissed it, not the function's owner").isEqualTo(1);
    }

    @Test
    void replayAllFailedSkipsDismissedEventsAndThoseWhoseRoleSyncedANewerChange() throws Exception {
        String role = RoleStatements.uniqueName("dis");
        long rejected;
        long dismissed;
        long open;
        try (Connection c = database.connectAsSuperuser()) {
            RoleStatements.createRole(c, role, outputs.password("first-" + role));
            rejected = DeliveryRows.outboxIds(c, role).get(0);
            DeliveryRows.record(c, rejected, "rejected", "PasswordDoesNotLogIn: 28P01", null);
            RoleStatements.alterPassword(c, role, outputs.password("second-" + role));
            DeliveryRows.record(c, DeliveryRows.outboxIds(c, role).get(1), "synced", null, "v2");
        }
        dismissed = changeRecordedAs("failed", "AccessDeniedException: not allowed");
        open = changeRecordedAs("failed", "AccessDeniedException: not allowed");
        assertThat(command(new DismissCommand(), "--reason", "role dropped", Long.toString(dismissed)).exitCode())
                .isZero();

        CommandRun replay = command(new ReplayCommand(), "--all-failed");

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out()).as("only the failure that still needs action").startsWith("replayed event " + open
                + " as ").doesNotContain("event " + rejected + " ", "event " + dismissed + " ");
        assertThat(eventJson(rejected).path("resolved_by").asText()).isEqualTo("synced");
        assertThat(command(new EventsCommand(), "--role", role).out()).contains("rejected (synced since)");
    }

    /**
     * A change of a new managed role, captured by the hook, with the outcome the consumer would
     * record ({@code null}: none yet, pending).
     *
     * @return its outbox id
     */
    private long changeRecordedAs(String status, String reason) throws SQLException {
        String role = RoleStatements.uniqueName("dis");
        try (Connection c = database.connectAsSuperuser()) {
            RoleStatements.createRole(c, role, outputs.password("password-of-" + role));
            long id = DeliveryRows.outboxIds(c, role).get(0);
            if (status != null) {
                DeliveryRows.record(c, id, status, reason, "synced".equals(status) ? "v1" : null);
            }
            return id;
        }
    }

    private JsonNode eventJson(long id) throws Exception {
        CommandRun run = command(new EventsCommand(), "--json", "--limit", "10000");
        for (JsonNode event : new ObjectMapper().readTree(run.out()).path("events")) {
            if (event.path("id").asLong() == id) {
                return event;
            }
        }
        throw new AssertionError("no event " + id + " in " + run);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.connectAsSuperuser(); PreparedStatement s = c.prepareStatement(sql);
                ResultSet row = s.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private CommandRun command(Object command, String... args) {
        return commandWith(config, command, args);
    }

    private CommandRun commandWith(Path configFile, Object command, String... args) {
        List<String> all = new ArrayList<>(List.of("--config", configFile.toString()));
        all.addAll(List.of(args));
        CommandRun run = CommandRun.of(command, all.toArray(String[]::new));
        outputs.output(run.all());
        return run;
    }
}
