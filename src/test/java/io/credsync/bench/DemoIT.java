package io.credsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.testing.OutputWatch;
import io.credsync.testing.SecretScan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code ./scripts/demo}'s steps, run as the script runs them ({@link Demo} on its own cluster and
 * emulators, the consumer as a process), so that the demo cannot rot unnoticed.
 */
class DemoIT {

    @Test
    void shouldShowAPasswordChangeReachItsSecretAndLogInWithoutPrintingAPassword() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        OutputWatch watch = new OutputWatch();
        try {
            new Demo(new Narrator(new PrintStream(printed, true, StandardCharsets.UTF_8), false), watch).run();
        } finally {
            SecretScan.output("demo", watch.output(printed.toString(StandardCharsets.UTF_8)));
        }
        String output = printed.toString(StandardCharsets.UTF_8);

        assertThat(output).as("every step is narrated, in order")
                .containsSubsequence("==> 2/8", "==> 3/8", "==> 4/8", "==> 5/8", "==> 6/8", "==> 7/8", "==> 8/8");
        assertThat(output).as("the secret is shown with its password masked")
                .contains("the secret " + Demo.SECRET_NAME + " holds the new password")
                .containsPattern("\"password\" : \"[A-Za-z0-9]{2}\\*{4}\"");
        assertThat(output).as("the password read from the secret logs in")
                .contains("SELECT current_user gives " + Demo.ROLE);
        assertThat(output).as("the delivery row and the metrics")
                .containsPattern("\\| " + Demo.ROLE + " +\\| synced +\\|")
                .contains("credsync_events_total{application=\"credsync\",outcome=\"synced\",reason=\"none\"} 1.0")
                .containsPattern("commit to secret written: \\d+ ms");
        assertThat(output).as("the consumer stops cleanly").contains("the consumer exited with code 0");
        watch.assertNoPassword();
    }
}
