package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A database of its own, on a shared cluster, with credsync installed the way the test run
 * asks: as the native extension (the default) or through pg_tle, chosen by the environment
 * variable {@code CREDSYNC_TEST_INSTALL} ({@code native} or {@code pgtle}). The pg_tle mode
 * needs a server with pg_tle installed and no native credsync extension files beside it.
 *
 * <p>Thread-safe; no method returns null.
 */
public final class CredsyncDatabase {

    /** How credsync gets into the database. */
    public enum InstallMode {
        NATIVE, PGTLE;

        /** The mode this test run uses. */
        public static InstallMode current() {
            String value = System.getenv().getOrDefault("CREDSYNC_TEST_INSTALL", "native");
            return InstallMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static PostgresCluster pgTleCluster;

    private final PostgresCluster cluster;
    private final String name;

    private CredsyncDatabase(PostgresCluster cluster, String name) {
        this.cluster = cluster;
        this.name = name;
    }

    /** Creates a fresh database on {@link #cluster()} and installs credsync into it. */
    public static CredsyncDatabase create(String prefix) {
        return create(cluster(), prefix);
    }

    /** Creates a fresh database on {@code cluster} and installs credsync into it. */
    public static CredsyncDatabase create(PostgresCluster cluster, String prefix) {
        return createNamed(cluster, prefix + "_" + COUNTER.incrementAndGet());
    }

    /**
     * Creates the database {@code name}, exactly so named, on {@code cluster} and installs credsync
     * into it: for a cluster of one's own, where no other test's database can take the name.
     */
    public static CredsyncDatabase createNamed(PostgresCluster cluster, String name) {
        try {
            cluster.createDatabase(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        CredsyncDatabase database = new CredsyncDatabase(cluster, name);
        database.install();
        return database;
    }

    /**
     * The cluster shared by this JVM's tests for the current install mode: the default shared
     * cluster (credsync_passcheck preloaded), or one with pg_tle preloaded and its password
     * check required.
     */
    public static synchronized PostgresCluster cluster() {
        if (InstallMode.current() == InstallMode.NATIVE) {
            return PostgresCluster.shared();
        }
        if (pgTleCluster == null) {
            pgTleCluster = PostgresCluster.start(clusterOptions());
        }
        return pgTleCluster;
    }

    /**
     * Options for a cluster of a test's own in the current install mode: credsync_passcheck
     * preloaded, or pg_tle preloaded with its password check required.
     */
    public static ClusterOptions clusterOptions() {
        if (InstallMode.current() == InstallMode.NATIVE) {
            return ClusterOptions.defaults();
        }
        return ClusterOptions.defaults().withPreloadLibraries("pg_tle")
                .withSetting("pgtle.enable_password_check", "require");
    }

    public PostgresCluster postgres() {
        return cluster;
    }

    public String name() {
        return name;
    }

    public Connection connectAsSuperuser() throws SQLException {
        return cluster.connectAsSuperuser(name);
    }

    public Connection connect(String user, String password) throws SQLException {
        return cluster.connect(name, user, password);
    }

    /** Registers {@code key} under {@code kid} and makes it the active key. */
    public void addKey(String kid, PublicKey key) throws SQLException {
        addKey(kid, RsaKeys.pem(key));
    }

    /** Registers the PEM {@code publicKey} under {@code kid} and makes it the active key. */
    public void addKey(String kid, String publicKey) throws SQLException {
        try (Connection connection = connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement("SELECT credsync.add_key(?, ?)")) {
            statement.setString(1, kid);
            statement.setString(2, publicKey);
            statement.execute();
        }
    }

    /** Adds a LIKE pattern of managed role names. */
    public void manage(String pattern) throws SQLException {
        try (Connection connection = connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement("SELECT credsync.manage(?)")) {
            statement.setString(1, pattern);
            statement.execute();
        }
    }

    private void install() {
        if (InstallMode.current() == InstallMode.NATIVE) {
            cluster.psql(name, "CREATE EXTENSION credsync CASCADE;");
        } else {
            // build-installer's script creates pg_tle itself, as install does.
            cluster.psql(name, pgTleInstaller());
        }
    }

    private static String pgTleInstaller() {
        Path script = Path.of("sql", "pgtle", "build-installer").toAbsolutePath();
        try {
            Process process = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(script + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }
}
