package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysCommandTest {

    @Test
    void withoutASubcommandItPrintsItsUsageAndExitsTwo() {
        CommandRun run = CommandRun.of(new KeysCommand());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("add", "list");
    }

    @Test
    void addNeedsAKmsKey() {
        CommandRun run = CommandRun.of(new KeysCommand(), "add");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--kms-key");
    }

    @Test
    void helpOfAddSaysWhatAKeyMustBe() {
        CommandRun run = CommandRun.of(new KeysCommand(), "add", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--kms-key=KEY", "RSA_2048", "ENCRYPT_DECRYPT", "RSAES_OAEP_SHA_256", "Exit codes:");
    }
}
