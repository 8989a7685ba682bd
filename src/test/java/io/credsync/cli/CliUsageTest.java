package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the commands do before they reach a database: help, usage errors, a bad configuration. */
class CliUsageTest {

    private static final String PASSWORD = "pa55-in-a-file-never-printed";

    private static final List<Supplier<Callable<Integer>>> COMMANDS =
            List.of(StatusCommand::new, EventsCommand::new, ReplayCommand::new);

    @TempDir
    Path dir;

    @Test
    void aBadConfigurationExits3NamingTheKeyAndNeverThePassword() throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, PASSWORD, StandardCharsets.UTF_8);
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, String.join("\n",
                "database:",
                "  name: app",
                "  user: credsync",
                "  port: 0",
                "  password_file: " + password,
                "replication:",
                "  slot: Not-A-Slot",
                ""), StandardCharsets.UTF_8);

        for (Supplier<Callable<Integer>> command : COMMANDS) {
            Callable<Integer> instance = command.get();
            // replay checks its arguments first: a usage error is reported before the configuration.
            String[] args = instance instanceof ReplayCommand
                    ? new String[] {"--config", config.toString(), "--all-failed"}
                    : new String[] {"--config", config.toString()};
            CommandRun run = CommandRun.of(instance, args);
            assertThat(run.exitCode()).as("%s", run).isEqualTo(Main.EXIT_CONFIG);
            assertThat(run.err()).as("every problem, each by its key").contains("database.port:", "replication.slot:");
            assertThat(run.all()).doesNotContain(PASSWORD);
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void versionNamesCredsyncAndTheDevelopmentBuildWhenRunFromClasses() {
        for (Supplier<Callable<Integer>> command : COMMANDS) {
            CommandRun run = CommandRun.of(command.get(), "--version");

            assertThat(run.exitCode()).as("%s", run).isZero();
            assertThat(run.out()).as("no manifest under target/classes").isEqualTo("credsync development\n");
        }
    }

    @Test
    void aMissingConfigurationFileExits3() {
        CommandRun run = CommandRun.of(new StatusCommand(), "--config", dir.resolve("missing.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(run.err()).contains("missing.yaml: no such file");
    }

    @Test
    void helpDescribesEveryExitCode() {
        CommandRun status = CommandRun.of(new StatusCommand(), "--help");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("Exit codes:", "  0   everything is fine", "  3   the configuration",
                "  4   something needs attention", "--max-pending-age", "--json");
        CommandRun events = CommandRun.of(new EventsCommand(), "--help");
        assertThat(events.out()).contains("--status=STATUS", "--role=ROLE", "--limit=N", "Never shows the encrypted");
        CommandRun replay = CommandRun.of(new ReplayCommand(), "--help");
        assertThat(replay.out()).contains("[ID...]", "--all-failed", "credsync.replay(id)");
    }

    @Test
    void aBadDurationIsAUsageError() {
        CommandRun run = CommandRun.of(new StatusCommand(), "--max-pending-age", "soon");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'soon' is not a duration like 30s, 5m or 1h");
    }
}
