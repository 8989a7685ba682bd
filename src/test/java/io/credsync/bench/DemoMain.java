package io.credsync.bench;

import io.credsync.testing.OutputWatch;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Shows credsync end to end on this machine ({@link Demo}), then exits: 0 when every step did
 * what it showed, 1 otherwise, saying which step failed and why. Run it through
 * {@code ./scripts/demo}, which installs what is missing, builds, gives it a run directory
 * (whatever is left there is stopped and removed when the script ends), and prints step 1.
 *
 * <p>System properties: {@code credsync.jar} (the consumer's jar), {@code credsync.demo.styled}
 * ({@code true} on a terminal: bold and dim text) and {@code credsync.demo.startedMillis} (when
 * the script started, in milliseconds since the epoch, for the total time).
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Narrator narrator = new Narrator(out, Boolean.getBoolean("credsync.demo.styled"));
        long startedMillis = Long.getLong("credsync.demo.startedMillis", System.currentTimeMillis());
        int status = 0;
        try {
            new Demo(narrator, new OutputWatch()).run();
            out.println();
            narrator.title(String.format(Locale.ROOT, "done in %.1f s",
                    (System.currentTimeMillis() - startedMillis) / 1000.0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("\ndemo: interrupted");
            status = 130;
        } catch (Exception | Error e) {
            // The harness's and the demo's messages name no password; a stack trace helps no one here.
            System.err.println("\ndemo: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            status = 1;
        }
        out.flush();
        // Shutdown hooks close what the harness still holds open.
        System.exit(status);
    }
}
