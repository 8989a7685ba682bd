package io.credsync.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The docker CLI, for tests that run credsync's images: the images {@code scripts/test} built,
 * named by environment variables, and containers that carry this run's label, so that
 * {@code scripts/test} removes whatever a test leaves behind (Testcontainers' reaper, Ryuk, is
 * not used: its image cannot be pulled here, and the run's own clean-up covers a killed JVM too).
 *
 * <p>Stateless and thread-safe; no method returns null.
 */
public final class Docker {

    /** The label every container of a test run carries: its value is the run directory. */
    public static final String RUN_LABEL = "io.credsync.run";
    /** The consumer image built from the Dockerfile. */
    public static final String CONSUMER_IMAGE_VARIABLE = "CREDSYNC_TEST_CONSUMER_IMAGE";
    /** The PostgreSQL image with credsync's module (docker/postgres/Dockerfile). */
    public static final String POSTGRES_IMAGE_VARIABLE = "CREDSYNC_TEST_POSTGRES_IMAGE";

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private Docker() {
    }

    /** The image the environment variable {@code variable} names, if it names one. */
    public static Optional<String> image(String variable) {
        return Optional.ofNullable(System.getenv(variable)).map(String::strip).filter(value -> !value.isEmpty());
    }

    /** {@code --label io.credsync.run=<run directory>}, for {@code docker run}. */
    public static List<String> runLabel() {
        return List.of("--label", RUN_LABEL + "=" + TestEnvironment.runDir());
    }

    /**
     * Runs {@code docker <args>} with {@code env} added to its environment (so that
     * {@code -e NAME} passes a value that never appears on a command line).
     *
     * @return its output, stdout and stderr together, stripped
     * @throws IllegalStateException if it fails, with its output
     */
    public static String run(List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(args);
        Commands.Result result = Commands.run(command, Path.of("/"), env, null, TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("docker " + String.join(" ", args) + " failed with exit code "
                    + result.exitCode() + ":\n" + result.output());
        }
        return result.output().strip();
    }

    /** {@code docker <args>}, nothing added to its environment. */
    public static String run(String... args) {
        return run(List.of(args), Map.of());
    }

    /** A Go template of {@code docker inspect} applied to a container or image. */
    public static String inspect(String id, String format) {
        return run("inspect", "--format", format, id);
    }

    /** Everything the container printed (stdout and stderr). */
    public static String logs(String id) {
        return run("logs", id);
    }

    /** Removes the container, running or not, with its anonymous volumes; a missing one is no error. */
    public static void remove(String id) {
        Commands.run(List.of("docker", "rm", "--force", "--volumes", id), Path.of("/"), Map.of(), null, TIMEOUT);
    }
}
