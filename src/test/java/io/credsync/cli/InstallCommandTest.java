package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.install.PgTleStatements;
import io.credsync.install.SchemaScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpNamesTheOptionsAndTheExitCodes() {
        CommandRun run = CommandRun.of(new InstallCommand(), "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--kind=KIND", "--consumer-role=NAME", "--dry-run", "--print-pgtle-sql",
                "--config=FILE", "Exit codes:", "1   failed; nothing was changed (in the database named", "3   the configuration is not valid");
    }

    @Test
    void printsThePgTleInstallerWithoutConnecting() {
        CommandRun run = CommandRun.of(new InstallCommand(), "--print-pgtle-sql");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(SchemaScript.fromClasspath().installerSql());
    }

    @Test
    void printsThePgTleUpdateFromAnEarlierReleaseAsBuildInstallerDoes() {
        CommandRun run = CommandRun.of(new InstallCommand(), "--print-pgtle-sql", "--from", "0.1.0",
                "--consumer-role", "credsync", "--replication-attribute");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo(PgTleStatements.installerSql(SchemaScript.fromClasspath(),
                new PgTleStatements.Request(Optional.of("0.1.0"), Optional.of("credsync"), true)));
    }

    @Test
    void fromAnUnknownReleaseOrWithoutPrintingIsAUsageError() {
        CommandRun unknown = CommandRun.of(new InstallCommand(), "--print-pgtle-sql", "--from", "0.0.9");
        CommandRun notPrinting = CommandRun.of(new InstallCommand(), "--from", "0.1.0");

        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).contains("--from must be an earlier release: one of 0.1.0");
        assertThat(notPrinting.exitCode()).as(notPrinting.toString()).isEqualTo(2);
        assertThat(notPrinting.err()).contains("only go with --print-pgtle-sql");
    }

    @Test
    void anUnknownKindIsAUsageError() {
        CommandRun run = CommandRun.of(new InstallCommand(), "--kind", "docker");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("must be auto, native or pgtle, got docker");
    }

    @Test
    void aConfigurationThatDoesNotValidateExitsThree() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "database:\n  port: 0\n");

        CommandRun run = CommandRun.of(new InstallCommand(), "--config", config.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(run.err()).contains("database.port");
    }
}
