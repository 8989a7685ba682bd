package io.credsync.cli;

import io.credsync.testing.EmulatedAws;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.SecretScan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import picocli.CommandLine;

/**
 * For the install, keys and doctor command tests: running a command in-process, and writing the
 * configuration file it reads (the password in a file, since a test cannot set the environment
 * variable a configuration names).
 */
final class InstallCliSupport {

    /** Nothing listens here: for commands that must not need AWS. */
    static final URI NO_AWS = URI.create("http://127.0.0.1:9");

    private InstallCliSupport() {
    }

    /**
     * What one run printed, and its exit code.
     *
     * @param exitCode what {@code execute} returned
     * @param out stdout
     * @param err stderr
     */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code command} with {@code args} as {@code Main} would, capturing its output. */
    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        Run run = new Run(exitCode, out.toString(), err.toString());
        SecretScan.output("cli-" + command.getClass().getSimpleName(), run.toString());
        return run;
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

    /** A configuration as the cluster's superuser, for commands that need no AWS. */
    static Path superuserConfig(Path dir, PostgresCluster cluster, String database) throws IOException {
        return config(dir, "superuser", cluster, database, cluster.superuser(), cluster.superuserPassword(),
                "credsync", NO_AWS, NO_AWS, "credsync/");
    }
}
