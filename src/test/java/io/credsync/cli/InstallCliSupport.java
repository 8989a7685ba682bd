package io.credsync.cli;

import io.credsync.testing.EmulatedAws;
import io.credsync.testing.PostgresCluster;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * For the install, keys and doctor command tests: the configuration file a command reads (the
 * password in a file, since a test cannot set the environment variable a configuration names).
 * Commands run in-process through {@link CommandRun#of}.
 */
final class InstallCliSupport {

    /** Nothing listens here: for commands that must not need AWS. */
    static final URI NO_AWS = URI.create("http://127.0.0.1:9");

    private InstallCliSupport() {
    }

    /** The AWS SDK's default chain reads these system properties first: the emulators take any key. */
    static void useEmulatorCredentials() {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
    }

    /**
     * A configuration for {@code database} on {@code cluster} as {@code user}.
     *
     * @param name distinguishes the files of several configurations in one directory
     * @return the YAML file's path
     */
    static Path config(Path dir, String name, PostgresCluster cluster, String database, String user, String password,
            String slot, URI kms, URI secretsManager, String secretPrefix) throws IOException {
        Path passwordFile = dir.resolve(name + ".password");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        String yaml = String.join("\n",
                "database:",
                "  host: " + cluster.host(),
                "  port: " + cluster.port(),
                "  name: " + database,
                // The shared test cluster holds many tests' installations: each covers its own database.
                "  databases: [" + database + "]",
                "  user: " + user,
                "  password_file: " + passwordFile,
                "  ssl_mode: disable",
                "replication:",
                "  slot: " + slot,
                "aws:",
                "  region: " + EmulatedAws.REGION.id(),
                "  kms_endpoint: " + kms,
                "  secretsmanager_endpoint: " + secretsManager,
                "secrets:",
                "  prefix: " + secretPrefix,
                "metrics:",
                "  port: 0",
                "");
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * A configuration as the cluster's superuser that covers every database of the cluster (no
     * {@code database.databases}: the default), with {@code home} as the home database; for a
     * cluster of the test's own.
     */
    static Path wholeClusterConfig(Path dir, PostgresCluster cluster, String home) throws IOException {
        Path file = superuserConfig(dir, cluster, home);
        String yaml = Files.readString(file, StandardCharsets.UTF_8)
                .replaceAll("(?m)^  databases: .*\n", "");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** A configuration as the cluster's superuser, for commands that need no AWS. */
    static Path superuserConfig(Path dir, PostgresCluster cluster, String database) throws IOException {
        return config(dir, "superuser", cluster, database, cluster.superuser(), cluster.superuserPassword(),
                "credsync", NO_AWS, NO_AWS, "credsync/");
    }
}
