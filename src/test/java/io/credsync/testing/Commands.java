package io.credsync.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs short-lived external commands (initdb, pg_ctl, psql, pg_config) to completion.
 *
 * <p>Output goes to a file rather than a pipe: pg_ctl leaves a daemon behind, and a daemon
 * that inherited a pipe would keep a reader waiting for end-of-file forever. Thread-safe.
 */
final class Commands {

    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** What a finished command returned: its exit code and its stdout and stderr, merged. */
    record Result(int exitCode, String output) {
    }

    private Commands() {
    }

    /**
     * Runs {@code command} in {@code workDir} with stdin from {@code input} (or /dev/null when
     * null) and the environment {@code extraEnv} added to this JVM's.
     *
     * @throws IllegalStateException if it does not finish within {@code timeout} (it is killed)
     */
    static Result run(List<String> command, Path workDir, Map<String, String> extraEnv, Path input,
            Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("credsync-command", ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(input == null ? new File("/dev/null") : input.toFile());
            builder.environment().putAll(extraEnv);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command)
                        + "\n" + read(output));
            }
            return new Result(process.exitValue(), read(output));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                Directories.deleteQuietly(output);
            }
        }
    }

    /** Runs {@code command} as {@link #run} does, and returns its output if it exits with 0. */
    static String runChecked(String what, List<String> command, Path workDir) {
        Result result = run(command, workDir, Map.of(), null, DEFAULT_TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + result.exitCode() + ": "
                    + String.join(" ", command) + "\n" + result.output());
        }
        return result.output();
    }

    /**
     * Returns {@code command} prefixed so that it runs as the {@code postgres} OS user when this
     * JVM runs as root (PostgreSQL refuses to run as root), and unchanged otherwise.
     */
    static List<String> asPostgresUser(List<String> command) {
        if (!TestEnvironment.runningAsRoot()) {
            return command;
        }
        List<String> prefixed = new ArrayList<>(List.of("runuser", "-u", TestEnvironment.POSTGRES_OS_USER, "--"));
        prefixed.addAll(command);
        return prefixed;
    }

    private static String read(Path file) throws IOException {
        // Lenient decoding: server and tool output is mostly UTF-8, but nothing guarantees it.
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
