package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A throwaway PostgreSQL cluster for one test class or one test run: its own temporary
 * directory under {@link TestEnvironment#runDir()}, a free port on 127.0.0.1, logical
 * replication enabled, and a random superuser password that TCP logins must present
 * (SCRAM-SHA-256). Unix-socket logins are trusted, for {@link #psql}.
 *
 * <p>When the JVM runs as root, the cluster's files belong to the {@code postgres} OS user and
 * its programs run through {@code runuser}, because PostgreSQL refuses to run as root.
 *
 * <p>A cluster is stopped and its directory removed by {@link #close()}, else by a JVM shutdown
 * hook, else (after a JVM killed hard) by {@code scripts/test}, which stops every cluster whose
 * data directory lies in the run directory.
 *
 * <p>With {@code CREDSYNC_TEST_POSTGRES=container}, {@link #start} and {@link #shared} start
 * {@link ContainerCluster}s instead: PostgreSQL in a container of credsync's image, another major
 * version than the machine's. The tests see the same cluster either way.
 *
 * <p>Thread-safe: start, stop and close are serialized; connections may be opened from any
 * thread. No method returns null.
 */
public sealed class PostgresCluster implements AutoCloseable permits ContainerCluster {

    private static final String SUPERUSER = "postgres";
    private static final String HOST = "127.0.0.1";
    private static final String SETTINGS_FILE = "credsync_test.conf";
    private static final int START_ATTEMPTS = 3;
    private static final String DUMP_FILE = "pg_dumpall.sql";

    private static PostgresCluster shared;

    private final ClusterOptions options;
    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final String superuserPassword;
    private volatile int port;
    private boolean running;
    private boolean closed;

    /** A cluster whose files live in {@code baseDir}; not started. */
    PostgresCluster(ClusterOptions options, Path baseDir, String superuserPassword) {
        this.options = options;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.logFile = baseDir.resolve("server.log");
        this.superuserPassword = superuserPassword;
    }

    /**
     * Creates a cluster with {@code options} and starts it.
     *
     * @throws IllegalStateException if a program or a preloaded module is missing, or the server
     *     does not start (the message includes the server log)
     */
    public static PostgresCluster start(ClusterOptions options) {
        if (ContainerCluster.selected()) {
            return ContainerCluster.start(options);
        }
        checkPreloadedModules(options);
        Path baseDir = Directories.createUnderRunDir("postgres-");
        PostgresCluster cluster = new PostgresCluster(options, baseDir, SecretScan.password(randomPassword()));
        JvmShutdown.register(cluster);
        try {
            cluster.initdb();
            cluster.startFirstTime();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * The cluster shared by every test in this JVM, with {@link ClusterOptions#defaults()}: started
     * on first use, stopped when the JVM exits. Tests that share it create their own databases and
     * roles rather than change what others see. Started anew if someone closed it.
     */
    public static synchronized PostgresCluster shared() {
        if (shared == null || shared.isClosed()) {
            shared = start(ClusterOptions.defaults());
        }
        return shared;
    }

    /** The address the server listens on: always 127.0.0.1. */
    public String host() {
        return HOST;
    }

    /** The server's TCP port; the same across restarts. */
    public int port() {
        return port;
    }

    /** Sets the port a server started by a subclass listens on. */
    void port(int port) {
        this.port = port;
    }

    /** The directory that holds this cluster's files. */
    Path baseDir() {
        return baseDir;
    }

    /**
     * The directory of the server's Unix socket, on which the superuser logs in without a password
     * ({@code psql -h <it>}): only the directory's owner (and root) can reach it. A
     * {@link ContainerCluster}'s socket is inside its container, not here.
     */
    public Path socketDirectory() {
        return baseDir;
    }

    /** The superuser's name: {@code postgres}. */
    public String superuser() {
        return SUPERUSER;
    }

    /** The superuser's password, random for each cluster. */
    public String superuserPassword() {
        return superuserPassword;
    }

    /** The options the cluster was started with. */
    public ClusterOptions options() {
        return options;
    }

    /** A PgJDBC URL for {@code database} over TCP, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?assumeMinServerVersion=15";
    }

    /** Opens a connection over TCP, so that the password is checked (SCRAM-SHA-256). */
    public Connection connect(String database, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /** Opens a connection to {@code database} as the superuser, over TCP. */
    public Connection connectAsSuperuser(String database) throws SQLException {
        return connect(database, SUPERUSER, superuserPassword);
    }

    /** Creates the database {@code name} (any name; it is quoted). */
    public void createDatabase(String name) throws SQLException {
        try (Connection connection = connectAsSuperuser("postgres");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + quoteIdentifier(name));
        }
    }

    /**
     * Runs {@code sql} with the psql program, as the superuser over the Unix socket, stopping at the
     * first error: for scripts with psql meta-commands. Returns psql's output.
     *
     * @throws IllegalStateException if psql fails, with its output
     */
    public String psql(String database, String sql) {
        Path script = null;
        try {
            script = Files.createTempFile(baseDir, "psql-", ".sql");
            Files.writeString(script, sql, StandardCharsets.UTF_8);
            List<String> command = List.of(options.program("psql").toString(),
                    "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
                    "--host=" + baseDir, "--port=" + port, "--username=" + SUPERUSER, "--dbname=" + database,
                    "--file=" + script);
            Commands.Result result = Commands.run(command, baseDir, Map.of("PGCONNECT_TIMEOUT", "10"), null,
                    Commands.DEFAULT_TIMEOUT);
            if (result.exitCode() != 0) {
                throw new IllegalStateException("psql failed with exit code " + result.exitCode() + " in database "
                        + database + ":\n" + result.output());
            }
            return result.output();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a psql script in " + baseDir, e);
        } finally {
            if (script != null) {
                Directories.deleteQuietly(script);
            }
        }
    }

    /** Stops the server; a no-op when it is not running. */
    public synchronized void stop(ShutdownMode mode) {
        if (!running) {
            return;
        }
        try {
            pgCtl("pg_ctl stop", options.program("pg_ctl").toString(), "-D", dataDir.toString(),
                    "-m", mode.pgCtlName(), "-w", "-t", "60", "stop");
        } catch (IllegalStateException e) {
            // A server that died by itself (or was killed) left nothing to stop: that is not an error.
            if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                throw e;
            }
        }
        running = false;
    }

    /** Starts the server again after {@link #stop}, on the same port; a no-op when it runs. */
    public synchronized void start() {
        checkNotClosed();
        if (running) {
            return;
        }
        pgCtlStart();
    }

    /** Stops the server with {@code mode} and starts it again. */
    public synchronized void restart(ShutdownMode mode) {
        stop(mode);
        start();
    }

    /** Whether the server is running (as far as this object started and stopped it). */
    public synchronized boolean isRunning() {
        return running;
    }

    /** The server log so far (lenient UTF-8); empty before the first start. */
    public String serverLog() {
        try {
            return Files.exists(logFile) ? new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile, e);
        }
    }

    /** The server log file, for tests that scan it. */
    public Path logFile() {
        return logFile;
    }

    /** The data directory (PGDATA). */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops the server (immediate mode) and deletes its directory. A server that is already
     * stopped, or died, is not an error; calling it again does nothing.
     *
     * <p>When the run is secret-scanned ({@link SecretScan#keepsEvidence()}), the directory stays
     * instead, with what the scan reads: the server log, {@value #DUMP_FILE} (every table of every
     * database, from pg_dumpall), and the data directory and WAL after a clean shutdown, whose
     * checkpoint has written every page to the data files.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (SecretScan.keepsEvidence()) {
                dumpForScan();
                stop(ShutdownMode.FAST);
            } else {
                stop(ShutdownMode.IMMEDIATE);
            }
        } catch (RuntimeException e) {
            System.err.println("credsync test: stopping the cluster in " + dataDir + " failed: " + e.getMessage());
        } finally {
            if (!SecretScan.keepsEvidence()) {
                Directories.deleteRecursively(baseDir);
            }
            JvmShutdown.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + HOST + ":" + port + ", " + dataDir + "]";
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("the cluster in " + dataDir + " is closed");
        }
    }

    /**
     * Writes {@value #DUMP_FILE} with pg_dumpall, starting the server for it if a test left it
     * stopped. A failure is written to {@value #DUMP_FILE}{@code .failed} and does not stop the
     * close: the data files are still scanned.
     */
    private void dumpForScan() {
        Path dump = baseDir.resolve(DUMP_FILE);
        try {
            if (!running) {
                pgCtlStart();
            }
            pgCtl("pg_dumpall", TestEnvironment.pgBinary("pg_dumpall").toString(), "--host=" + baseDir,
                    "--port=" + port, "--username=" + SUPERUSER, "--file=" + dump);
        } catch (RuntimeException e) {
            try {
                Files.writeString(baseDir.resolve(DUMP_FILE + ".failed"), String.valueOf(e.getMessage()),
                        StandardCharsets.UTF_8);
            } catch (IOException io) {
                e.addSuppressed(io);
            }
            System.err.println("credsync test: no dump of the cluster in " + dataDir + " for the secret scan: "
                    + e.getMessage());
        }
    }

    private static void checkPreloadedModules(ClusterOptions options) {
        for (String module : options.preloadLibraryNames()) {
            if (!TestEnvironment.pgModuleInstalled(module)) {
                String hint = module.equals(ClusterOptions.DEFAULT_PRELOAD_LIBRARIES)
                        ? "run make -C sql/native install (./scripts/test does)"
                        : "install it, or leave it out of ClusterOptions.preloadLibraries";
                throw new IllegalStateException("the module " + module + ".so is not in "
                        + TestEnvironment.pgPkgLibDir() + ": " + hint);
            }
        }
    }

    private void initdb() {
        Path passwordFile = baseDir.resolve("superuser.password");
        try {
            Files.writeString(passwordFile, superuserPassword + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            if (TestEnvironment.runningAsRoot()) {
                Directories.giveToPostgresUser(baseDir);
                Directories.giveToPostgresUser(passwordFile);
            }
            pgCtl("initdb", options.program("initdb").toString(),
                    "--pgdata=" + dataDir, "--username=" + SUPERUSER, "--pwfile=" + passwordFile,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                    "--locale=" + TestEnvironment.initdbLocale(), "--no-sync", "--no-instructions");
            writeFile(dataDir.resolve("pg_hba.conf"), String.join("\n",
                    "# Written by io.credsync.testing.PostgresCluster.",
                    "local all all trust",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host replication all 127.0.0.1/32 scram-sha-256",
                    ""));
            Files.writeString(dataDir.resolve("postgresql.conf"), "\ninclude '" + SETTINGS_FILE + "'\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the cluster in " + dataDir, e);
        } finally {
            Directories.deleteQuietly(passwordFile);
        }
    }

    private void startFirstTime() {
        for (int attempt = 1; ; attempt++) {
            port = PortAllocator.freePort();
            writeSettings();
            try {
                pgCtlStart();
                return;
            } catch (IllegalStateException e) {
                // Another process may have taken the port between allocation and bind: try another.
                boolean portTaken = serverLog().contains("could not bind");
                if (!portTaken || attempt == START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private void writeSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", HOST);
        settings.put("port", Integer.toString(port));
        settings.put("unix_socket_directories", baseDir.toString());
        settings.put("wal_level", "logical");
        settings.put("max_wal_senders", "10");
        settings.put("max_replication_slots", "10");
        settings.put("shared_preload_libraries", options.preloadLibraries());
        settings.put("password_encryption", "scram-sha-256");
        // Test speed: a crash of the machine loses nothing we keep.
        settings.put("fsync", "off");
        settings.putAll(options.settings());
        StringBuilder text = new StringBuilder("# Written by io.credsync.testing.PostgresCluster.\n");
        settings.forEach((name, value) ->
                text.append(name).append(" = '").append(value.replace("'", "''")).append("'\n"));
        writeFile(dataDir.resolve(SETTINGS_FILE), text.toString());
    }

    private void pgCtlStart() {
        try {
            pgCtl("pg_ctl start", options.program("pg_ctl").toString(), "-D", dataDir.toString(),
                    "-l", logFile.toString(), "-w", "-t", "60", "start");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\nserver log " + logFile + ":\n" + tail(serverLog()), e);
        }
        running = true;
    }

    private void pgCtl(String what, String... command) {
        Commands.runChecked(what, Commands.asPostgresUser(List.of(command)), baseDir);
    }

    private void writeFile(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            if (TestEnvironment.runningAsRoot()) {
                Directories.giveToPostgresUser(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String randomPassword() {
        // Letters and digits only: the password goes through initdb's --pwfile unchanged.
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }
}
