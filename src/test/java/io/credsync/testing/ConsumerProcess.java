package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar target/credsync.jar run --config <file>} as its own process, the way users run
 * it, so that tests can kill it hard, restart it, and read everything it printed.
 *
 * <p>The jar comes from the system property {@code credsync.jar} (set by the failsafe plugin),
 * else {@code target/credsync.jar}. Each start appends to the same log file, so a test can scan
 * the output of a whole run across restarts.
 *
 * <p>Thread-safe; no method returns null.
 */
public final class ConsumerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ServiceProcess process;

    private ConsumerProcess(ServiceProcess process) {
        this.process = process;
    }

    /**
     * Starts the consumer with the configuration {@code yaml}, in which the placeholder
     * {@code ${METRICS_PORT}} is replaced by a free port, and waits until its metrics endpoint
     * listens (it opens it once the slot is ready).
     *
     * @param dir where the configuration and the log go; the same for every start of one consumer
     * @param env environment variables to add, e.g. the database password
     */
    public static ConsumerProcess start(Path dir, String yaml, Map<String, String> env) {
        Path jar = Path.of(System.getProperty("credsync.jar", "target/credsync.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn package` (./scripts/test does)");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ConsumerProcess(ServiceProcess.start("credsync", dir, port -> {
            Path config = dir.resolve("credsync.yaml");
            try {
                Files.writeString(config, yaml.replace("${METRICS_PORT}", Integer.toString(port)),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + config, e);
            }
            return List.of(java.toString(), "-Xmx256m", "-jar", jar.toString(), "run", "--config", config.toString());
        }, port -> env, START_TIMEOUT));
    }

    /** The port of its /metrics and /health endpoints. */
    public int metricsPort() {
        return process.port();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the consumer gets no chance to finish anything. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** SIGTERM; returns the exit code, or throws if it has not exited within {@code timeout}. */
    public int terminate(Duration timeout) throws InterruptedException {
        return process.terminate(timeout);
    }

    /** Waits for the consumer to exit by itself; returns the exit code, or throws if it still runs. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.awaitExit(timeout);
    }

    /** Everything every start of this consumer printed so far. */
    public String output() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
