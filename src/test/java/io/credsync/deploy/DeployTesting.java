package io.credsync.deploy;

import com.sun.net.httpserver.HttpServer;
import io.credsync.metrics.CredsyncMeterRegistry;
import io.credsync.metrics.MetricsServer;
import io.credsync.metrics.ReadinessReport;
import io.credsync.testing.SecretScan;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the deployment tests share: the checkout's files, and running a short command (a linter,
 * a container health check) with a time limit. ({@code testing.LocalHttp} asks a consumer's
 * endpoints.)
 *
 * <p>Stateless and thread-safe.
 */
final class DeployTesting {

    /** A finished command: its exit code and everything it printed (stdout and stderr together). */
    record Result(int exitCode, String output) {
    }

    private DeployTesting() {
    }

    /** A file of the checkout (the tests run from the project's base directory); it must exist. */
    static Path repoFile(String relative) {
        Path file = Path.of(relative).toAbsolutePath();
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " does not exist; run the tests from the project's base directory");
        }
        return file;
    }

    /** The file's text (UTF-8). */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Runs {@code command} in the checkout with {@code env} added to this JVM's environment and
     * no input; kills it after {@code timeout}.
     *
     * @throws IllegalStateException if it did not finish in time
     */
    static Result run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("credsync-deploy-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + "; its output:\n" + read(output));
            }
            Result result = new Result(process.exitValue(), read(output));
            SecretScan.output("process-" + Path.of(command.get(0)).getFileName(), String.join(" ", command) + "\n"
                    + result.output());
            return result;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Runs a container health check command (its argv, without Docker's or ECS's {@code CMD}
     * marker) the way the container would, with {@code CREDSYNC_METRICS_PORT} pointing at: the
     * real metrics server ({@code "live"}), a server answering 503 to everything
     * ({@code "unavailable"}), and a port nothing listens on ({@code "closed"}).
     *
     * @return each case's exit code, in that order
     */
    static Map<String, Integer> healthCheckExitCodes(List<String> command) throws IOException, InterruptedException {
        Map<String, Integer> codes = new LinkedHashMap<>();
        CredsyncMeterRegistry registry = CredsyncMeterRegistry.create();
        try (MetricsServer live = MetricsServer.start("127.0.0.1", 0, registry, ReadinessReport::empty)) {
            codes.put("live", runHealthCheck(command, live.port()));
        } finally {
            registry.close();
        }
        HttpServer unavailable = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        unavailable.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        unavailable.start();
        try {
            codes.put("unavailable", runHealthCheck(command, unavailable.getAddress().getPort()));
        } finally {
            unavailable.stop(0);
        }
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        codes.put("closed", runHealthCheck(command, closedPort));
        return codes;
    }

    private static int runHealthCheck(List<String> command, int port) throws IOException, InterruptedException {
        return run(command, Map.of("CREDSYNC_METRICS_PORT", Integer.toString(port)), Duration.ofSeconds(10))
                .exitCode();
    }
}
