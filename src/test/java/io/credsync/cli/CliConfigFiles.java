package io.credsync.cli;

import io.credsync.testing.SyncFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A configuration file for running commands in-process against a {@link SyncFixture}: the
 * consumer's YAML, with the metrics port fixed (the commands serve none) and the password read
 * from a file, since a test cannot set the environment variable the YAML names.
 */
final class CliConfigFiles {

    private CliConfigFiles() {
    }

    /** Writes {@code dir/password} and {@code dir/credsync.yaml}; returns the YAML's path. */
    static Path write(Path dir, SyncFixture fixture) throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, fixture.database().postgres().superuserPassword() + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        String yaml = fixture.consumerYaml().replace("${METRICS_PORT}", "0");
        String passwordEnv = "  password_env: CREDSYNC_TEST_DB_PASSWORD";
        if (!yaml.contains(passwordEnv)) {
            throw new IllegalStateException("the fixture's YAML no longer names its password as expected:\n" + yaml);
        }
        yaml = yaml.replace(passwordEnv, "  password_file: " + password);
        Path config = dir.resolve("credsync.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        return config;
    }
}
