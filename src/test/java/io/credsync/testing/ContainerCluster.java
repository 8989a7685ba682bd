package io.credsync.testing;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A {@link PostgresCluster} that is a container of credsync's PostgreSQL image
 * (docker/postgres/Dockerfile, named by {@code CREDSYNC_TEST_POSTGRES_IMAGE}), started through
 * Testcontainers' {@link PostgreSQLContainer}, which takes the image as a substitute for the
 * official {@code postgres} one. Chosen by {@code CREDSYNC_TEST_POSTGRES=container}: the suites
 * then run on the image's major version (17) rather than the machine's (15).
 *
 * <p>Its port on 127.0.0.1 is fixed when it is created, so that a restart keeps it; stop signals
 * the server the way {@code pg_ctl} would (SIGINT for fast, SIGQUIT for immediate), and start
 * starts the same container again. psql runs inside the container, over its socket.
 *
 * <p>Clean-up does not depend on Ryuk, Testcontainers' reaper (its image cannot be pulled here, so
 * {@code TESTCONTAINERS_RYUK_DISABLED=true}): {@link #close()}, else a JVM shutdown hook, removes
 * the container, and {@code scripts/test} removes every container labelled with its run.
 *
 * <p>Thread-safe: start, stop and close are serialized. No method returns null.
 */
public final class ContainerCluster extends PostgresCluster {

    /** The variable that chooses containers, and its value. */
    public static final String MODE_VARIABLE = "CREDSYNC_TEST_POSTGRES";
    private static final String MODE = "container";
    private static final String CONTAINER_PGDATA = "/var/lib/postgresql/data";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final PostgreSQLContainer<?> container;
    private boolean running;
    private boolean closed;

    private ContainerCluster(ClusterOptions options, Path baseDir, String superuserPassword,
            PostgreSQLContainer<?> container) {
        super(options, baseDir, superuserPassword);
        this.container = container;
    }

    /** Whether this test run asked for containers ({@code CREDSYNC_TEST_POSTGRES=container}). */
    public static boolean selected() {
        return MODE.equals(System.getenv(MODE_VARIABLE));
    }

    /**
     * Starts a container with {@code options}' settings on the server's command line. The image
     * preloads credsync's module; {@code options.binDir} is not used (the image is the server).
     */
    public static ContainerCluster start(ClusterOptions options) {
        String image = Docker.image(Docker.POSTGRES_IMAGE_VARIABLE).orElseThrow(() -> new IllegalStateException(
                MODE_VARIABLE + "=container needs " + Docker.POSTGRES_IMAGE_VARIABLE
                        + ", an image built from docker/postgres/Dockerfile (./scripts/test builds it)"));
        int port = PortAllocator.freePort();
        String password = SecretScan.password(randomPassword());
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
                DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
                .withUsername("postgres")
                .withPassword(password)
                .withDatabaseName("postgres")
                .withLabel(Docker.RUN_LABEL, TestEnvironment.runDir().toString())
                .withCommand(command(options).toArray(String[]::new))
                .withStartupTimeout(READY_TIMEOUT)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(new PortBinding(
                        Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(5432))));
        ContainerCluster cluster = new ContainerCluster(options, Directories.createUnderRunDir("postgres-container-"),
                password, container);
        cluster.port(port);
        JvmShutdown.register(cluster);
        try {
            container.start();
            cluster.running = true;
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    @Override
    public String psql(String database, String sql) {
        Path script = null;
        try {
            script = Files.createTempFile(baseDir(), "psql-", ".sql");
            Files.writeString(script, sql, StandardCharsets.UTF_8);
            Commands.Result result = Commands.run(List.of("docker", "exec", "--interactive", container.getContainerId(),
                    "psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--username=" + superuser(),
                    "--dbname=" + database, "--file=-"), baseDir(), Map.of(), script, Commands.DEFAULT_TIMEOUT);
            if (result.exitCode() != 0) {
                throw new IllegalStateException("psql failed with exit code " + result.exitCode() + " in database "
                        + database + ":\n" + result.output());
            }
            return result.output();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a psql script in " + baseDir(), e);
        } finally {
            if (script != null) {
                Directories.deleteQuietly(script);
            }
        }
    }

    @Override
    public synchronized void stop(ShutdownMode mode) {
        if (!running) {
            return;
        }
        String id = container.getContainerId();
        Docker.run("kill", "--signal", signal(mode), id);
        Docker.run("wait", id);
        running = false;
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the container " + container.getContainerId() + " is removed");
        }
        if (running) {
            return;
        }
        Docker.run("start", container.getContainerId());
        awaitConnection();
        running = true;
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    /** What the server printed in the container, every start of it. */
    @Override
    public String serverLog() {
        return closed ? super.serverLog() : Docker.logs(container.getContainerId());
    }

    @Override
    public Path logFile() {
        throw new UnsupportedOperationException("a container's server log is serverLog(), not a file");
    }

    @Override
    public Path dataDir() {
        throw new UnsupportedOperationException("a container's data directory is inside it");
    }

    /**
     * Removes the container. In a secret-scanned run it first leaves in this cluster's directory
     * what the scan reads, as a local cluster does: the server log, a pg_dumpall of every
     * database, and the data directory after a fast shutdown.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (SecretScan.keepsEvidence() && container.getContainerId() != null) {
                keepEvidence();
            }
        } catch (RuntimeException e) {
            System.err.println("credsync test: keeping the container " + container.getContainerId()
                    + " for the secret scan failed: " + e.getMessage());
        } finally {
            closed = true;
            running = false;
            container.stop();
            if (!SecretScan.keepsEvidence()) {
                Directories.deleteRecursively(baseDir());
            }
            JvmShutdown.unregister(this);
        }
    }

    @Override
    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ContainerCluster[" + host() + ":" + port() + ", " + container.getDockerImageName() + "]";
    }

    private void keepEvidence() {
        String id = container.getContainerId();
        if (!running) {
            start();
        }
        Commands.Result dump = Commands.run(List.of("docker", "exec", id, "pg_dumpall", "--username=" + superuser()),
                baseDir(), Map.of(), null, Commands.DEFAULT_TIMEOUT);
        write(baseDir().resolve(dump.exitCode() == 0 ? "pg_dumpall.sql" : "pg_dumpall.sql.failed"), dump.output());
        stop(ShutdownMode.FAST);
        write(logFileForScan(), Docker.logs(id));
        Docker.run("cp", id + ":" + CONTAINER_PGDATA, baseDir().resolve("data").toString());
    }

    private Path logFileForScan() {
        return baseDir().resolve("server.log");
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private void awaitConnection() {
        try {
            // Refused, or the server still starting: another try until the deadline.
            await(this + " accepting connections").atMost(READY_TIMEOUT).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(SQLException.class)
                    .until(() -> {
                        try (Connection connection = connectAsSuperuser("postgres")) {
                            return true;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(this + " did not accept connections within " + READY_TIMEOUT
                    + "; its log:\n" + Docker.logs(container.getContainerId()), e);
        }
    }

    private static List<String> command(ClusterOptions options) {
        List<String> command = new ArrayList<>(List.of("postgres", "-c", "fsync=off",
                "-c", "shared_preload_libraries=" + options.preloadLibraries()));
        options.settings().forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
        return command;
    }

    private static String signal(ShutdownMode mode) {
        return switch (mode) {
            case FAST -> "SIGINT";
            case IMMEDIATE -> "SIGQUIT";
        };
    }
}
