package io.credsync.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * moto's server, emulating Secrets Manager for the tests, on 127.0.0.1 only: its own directory
 * under {@link TestEnvironment#runDir()} ({@code moto_server.log}, {@code moto_server.pid}),
 * Region {@link EmulatedAws#REGION}. State lives in memory and goes with the process.
 *
 * <p>{@link #stop()} and {@link #resume()} take it down and bring it back on the same port, for
 * tests and benchmarks of an outage (secrets do not survive: moto keeps them in memory). Closed by
 * {@link #close()}, else by a JVM shutdown hook, else by scripts/test. Thread-safe; no method
 * returns null.
 */
public final class MotoServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static MotoServer shared;

    private final Path dir;
    private final RestartableService process;
    private SecretsManagerClient client;
    private boolean closed;

    private MotoServer(Path dir, RestartableService process) {
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts moto's server and waits until it accepts connections.
     *
     * @throws IllegalStateException if the program is missing or it does not come up
     */
    public static MotoServer start() {
        Path dir = Directories.createUnderRunDir("moto-");
        RestartableService process;
        try {
            process = RestartableService.start("moto_server", dir, MotoServer::command,
                    port -> Map.of("PYTHONUNBUFFERED", "1"), START_TIMEOUT);
        } catch (RuntimeException e) {
            Directories.deleteRecursively(dir);
            throw e;
        }
        MotoServer moto = new MotoServer(dir, process);
        JvmShutdown.register(moto);
        return moto;
    }

    /** The instance shared by every test in this JVM: started on first use, stopped at JVM exit. */
    public static synchronized MotoServer shared() {
        if (shared == null || shared.isClosed()) {
            shared = start();
        }
        return shared;
    }

    /** Where clients send requests: {@code http://127.0.0.1:<port>}, the same after {@link #resume()}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + process.port());
    }

    /**
     * Stops the server process, as an outage would: clients get connection refused until
     * {@link #resume()}. Waits until the port no longer accepts.
     */
    public synchronized void stop() {
        checkNotClosed();
        process.stop();
    }

    /** Starts the server again after {@link #stop()}, on the same port, with no secrets. */
    public synchronized void resume() {
        checkNotClosed();
        process.resume();
    }

    /** Whether the server process runs (it does unless {@link #stop()} or {@link #close()}). */
    public synchronized boolean isRunning() {
        return !closed && process.isAlive();
    }

    /**
     * A Secrets Manager client for this emulator (url-connection HTTP client, static test
     * credentials). It belongs to this object and is closed with it: do not close it yourself.
     */
    public synchronized SecretsManagerClient client() {
        checkNotClosed();
        if (client == null) {
            client = SecretsManagerClient.builder()
                    .region(EmulatedAws.REGION)
                    .credentialsProvider(EmulatedAws.credentials())
                    .endpointOverride(endpoint())
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build();
        }
        return client;
    }

    /** moto's output: one line per request it served, and its errors. */
    public synchronized Path logFile() {
        return process.logFile();
    }

    /** Stops moto's server and deletes its directory (kept when the run is secret-scanned). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            process.close();
            // A scanned run keeps the log (and local-kms its key store, which holds no password).
            if (!SecretScan.keepsEvidence()) {
                Directories.deleteRecursively(dir);
            }
            JvmShutdown.unregister(this);
        }
    }

    @Override
    public synchronized String toString() {
        return "MotoServer[" + process + "]";
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("moto_server in " + dir + " is closed");
        }
    }

    private static List<String> command(int port) {
        return List.of(TestEnvironment.motoServer().toString(), "-H", "127.0.0.1", "-p", Integer.toString(port));
    }
}
