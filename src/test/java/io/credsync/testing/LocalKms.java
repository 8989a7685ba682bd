package io.credsync.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * local-kms, a KMS emulator with real RSA keys, running for the tests: its own directory under
 * {@link TestEnvironment#runDir()} (key database, {@code local-kms.log}, {@code local-kms.pid}),
 * Region {@link EmulatedAws#REGION}, account {@link EmulatedAws#KMS_ACCOUNT_ID}.
 *
 * <p>local-kms takes only a port ({@code PORT}), never an address: it listens on every
 * interface, not on loopback alone. Clients here always use 127.0.0.1.
 *
 * <p>{@link #stop()} and {@link #resume()} take it down and bring it back on the same port with
 * the same keys, for tests and benchmarks of an outage. Closed by {@link #close()}, else by a JVM
 * shutdown hook, else by scripts/test. Thread-safe; no method returns null.
 */
public final class LocalKms implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static LocalKms shared;

    private final Path dir;
    private final RestartableService process;
    private KmsClient client;
    private boolean closed;

    private LocalKms(Path dir, RestartableService process) {
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts local-kms with an empty key database and waits until it accepts connections.
     *
     * @throws IllegalStateException if the binary is missing or it does not come up
     */
    public static LocalKms start() {
        Path dir = Directories.createUnderRunDir("local-kms-");
        RestartableService process;
        try {
            process = RestartableService.start("local-kms", dir, port -> command(), port -> environment(dir, port),
                    START_TIMEOUT);
        } catch (RuntimeException e) {
            Directories.deleteRecursively(dir);
            throw e;
        }
        LocalKms kms = new LocalKms(dir, process);
        JvmShutdown.register(kms);
        return kms;
    }

    /** The instance shared by every test in this JVM: started on first use, stopped at JVM exit. */
    public static synchronized LocalKms shared() {
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
     * Stops the emulator process, as an outage would, keeping its key database: clients get
     * connection refused until {@link #resume()}. Waits until the port no longer accepts.
     */
    public synchronized void stop() {
        checkNotClosed();
        process.stop();
    }

    /** Starts the emulator again after {@link #stop()}, on the same port, with the same keys. */
    public synchronized void resume() {
        checkNotClosed();
        process.resume();
    }

    /** Whether the emulator process runs (it does unless {@link #stop()} or {@link #close()}). */
    public synchronized boolean isRunning() {
        return !closed && process.isAlive();
    }

    /**
     * A client for this emulator (url-connection HTTP client, static test credentials). It belongs
     * to this object and is closed with it: do not close it yourself.
     */
    public synchronized KmsClient client() {
        checkNotClosed();
        if (client == null) {
            client = KmsClient.builder()
                    .region(EmulatedAws.REGION)
                    .credentialsProvider(EmulatedAws.credentials())
                    .endpointOverride(endpoint())
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build();
        }
        return client;
    }

    /**
     * Creates an RSA key for encryption ({@code ENCRYPT_DECRYPT}) and returns its ARN.
     *
     * @param spec RSA_2048, RSA_3072 or RSA_4096
     */
    public String createRsaKey(KeySpec spec) {
        if (!spec.toString().startsWith("RSA_")) {
            throw new IllegalArgumentException("not an RSA key spec: " + spec);
        }
        return client().createKey(request -> request.keySpec(spec).keyUsage(KeyUsageType.ENCRYPT_DECRYPT))
                .keyMetadata().arn();
    }

    /** local-kms's output: one line per request it served, and its errors. */
    public synchronized Path logFile() {
        return process.logFile();
    }

    /** Stops local-kms and deletes its directory (kept when the run is secret-scanned). Idempotent. */
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
        return "LocalKms[" + process + "]";
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("local-kms in " + dir + " is closed");
        }
    }

    private static List<String> command() {
        return List.of(TestEnvironment.localKms().toString());
    }

    private static Map<String, String> environment(Path dir, int port) {
        return Map.of(
                "PORT", Integer.toString(port),
                "KMS_DATA_PATH", dir.resolve("data").toString(),
                "KMS_REGION", EmulatedAws.REGION.id(),
                "KMS_ACCOUNT_ID", EmulatedAws.KMS_ACCOUNT_ID,
                // No seed: a path that does not exist (the default is /init/seed.yaml).
                "KMS_SEED_PATH", dir.resolve("no-seed.yaml").toString());
    }
}
