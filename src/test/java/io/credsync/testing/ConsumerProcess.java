package io.credsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger SCRAPES = new AtomicInteger();

    private final Path dir;
    private final ServiceProcess process;

    private ConsumerProcess(Path dir, ServiceProcess process) {
        this.dir = dir;
        this.process = process;
    }

    /**
     * The JVM options the Dockerfile's ENTRYPOINT runs the consumer with (DockerfileIT checks that
     * they match), so that tests and benchmarks measure the consumer as it is deployed.
     */
    public static final List<String> CONTAINER_JVM_OPTIONS = List.of("-XX:CICompilerCount=2",
            "-XX:CompileThresholdScaling=0.1", "-XX:Tier4InvocationThreshold=1000000",
            "-XX:Tier4MinInvocationThreshold=120000", "-XX:Tier4CompileThreshold=3000000",
            "-XX:Tier4BackEdgeThreshold=8000000", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    /**
     * JVM options added after {@link #CONTAINER_JVM_OPTIONS} (so they win), separated by spaces:
     * the system property {@code credsync.consumer.jvmOptions}, else the environment variable
     * {@code CREDSYNC_CONSUMER_JVM_OPTIONS}. For profiling a benchmark's consumer, e.g.
     * {@code CREDSYNC_CONSUMER_JVM_OPTIONS=-XX:StartFlightRecording=filename=/tmp/c.jfr ./scripts/bench e2e-lag}.
     */
    static List<String> extraJvmOptions() {
        String extra = System.getProperty("credsync.consumer.jvmOptions", System.getenv("CREDSYNC_CONSUMER_JVM_OPTIONS"));
        return extra == null || extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
    }

    /**
     * Starts the consumer with the configuration {@code yaml}, in which the placeholder
     * {@code ${METRICS_PORT}} is replaced by a free port, and waits until its metrics endpoint
     * listens (it opens it first thing, before it waits for the database and prepares the slot:
     * wait for {@code /health/ready} to know that it streams).
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
        return new ConsumerProcess(dir, ServiceProcess.start("credsync", dir, port -> {
            Path config = dir.resolve("credsync.yaml");
            try {
                Files.writeString(config, yaml.replace("${METRICS_PORT}", Integer.toString(port)),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + config, e);
            }
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m"));
            command.addAll(CONTAINER_JVM_OPTIONS);
            command.addAll(extraJvmOptions());
            command.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
            return command;
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
        keepMetricsForScan();
        process.kill();
    }

    /** SIGTERM; returns the exit code, or throws if it has not exited within {@code timeout}. */
    public int terminate(Duration timeout) throws InterruptedException {
        keepMetricsForScan();
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
        keepMetricsForScan();
        process.close();
    }

    /**
     * In a secret-scanned run, keeps {@code /metrics} as the consumer serves it just before it is
     * stopped, beside its log ({@code metrics-<n>.prom}): metrics must not carry a secret either.
     * A consumer that does not answer leaves a {@code .failed} note instead; its log says why.
     */
    private void keepMetricsForScan() {
        if (!SecretScan.keepsEvidence() || !process.isAlive()) {
            return;
        }
        String name = "metrics-" + SCRAPES.incrementAndGet();
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + process.port()
                    + "/metrics").toURL().openConnection();
            connection.setConnectTimeout((int) SCRAPE_TIMEOUT.toMillis());
            connection.setReadTimeout((int) SCRAPE_TIMEOUT.toMillis());
            try (InputStream body = connection.getInputStream()) {
                Files.write(dir.resolve(name + ".prom"), body.readAllBytes());
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            try {
                Files.writeString(dir.resolve(name + ".failed"), e.toString(), StandardCharsets.UTF_8);
            } catch (IOException note) {
                throw new UncheckedIOException("cannot write in " + dir, note);
            }
        }
    }
}
