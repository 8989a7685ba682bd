package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpNamesTheExitCodes() {
        CommandRun run = CommandRun.of(new DoctorCommand(), "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--consumer-role=NAME", "0   no check failed (warnings allowed)",
                "1   at least one check failed");
    }

    @Test
    void aConfigurationThatDoesNotValidateExitsThree() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "database:\n  name: app\n  user: u\n  sslmode: x\n");

        CommandRun run = CommandRun.of(new DoctorCommand(), "--config", config.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(run.err()).contains("database.sslmode");
    }
}
