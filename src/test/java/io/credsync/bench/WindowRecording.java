package io.credsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JDK Flight Recording of a consumer over a benchmark's measured window only, when the
 * environment variable {@code CREDSYNC_BENCH_JFR} names a directory: started and stopped with
 * {@code jcmd}, so the warm-up and start-up are left out and the file is written before the
 * consumer is stopped. {@code CREDSYNC_BENCH_JFR_SETTINGS} names the settings ({@code profile}
 * unless given: a JDK name or a .jfc file). Read it with {@code jfr print --events
 * jdk.ExecutionSample FILE} or {@code jfr summary FILE}.
 *
 * <p>Without the variable, it does nothing. A jcmd that fails is reported and the benchmark goes on.
 */
final class WindowRecording {

    private static final String DIRECTORY = System.getenv("CREDSYNC_BENCH_JFR");
    private static final String SETTINGS = System.getenv().getOrDefault("CREDSYNC_BENCH_JFR_SETTINGS", "profile");

    private final long pid;
    private final String name;

    private WindowRecording(long pid, String name) {
        this.pid = pid;
        this.name = name;
    }

    /** Starts recording the process {@code pid}, to {@code <directory>/<name>.jfr}, if asked to. */
    static WindowRecording start(long pid, String name) {
        WindowRecording recording = new WindowRecording(pid, name);
        if (DIRECTORY != null) {
            recording.jcmd("JFR.start", "name=" + name, "settings=" + SETTINGS);
        }
        return recording;
    }

    /** Stops the recording and writes its file. */
    void stop() {
        if (DIRECTORY != null) {
            Path file = Path.of(DIRECTORY).toAbsolutePath().resolve(name + ".jfr");
            jcmd("JFR.stop", "name=" + name, "filename=" + file);
            System.out.println("  " + name + ": flight recording of the measured window in " + file);
        }
    }

    private void jcmd(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                .toString(), Long.toString(pid)));
        command.addAll(List.of(arguments));
        try {
            Files.createDirectories(Path.of(DIRECTORY));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                System.out.println("  " + name + ": " + String.join(" ", command) + " failed");
            }
        } catch (IOException e) {
            System.out.println("  " + name + ": " + String.join(" ", command) + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
