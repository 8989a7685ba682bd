package io.credsync.cli;

import io.credsync.config.ConfigException;
import io.credsync.config.CredsyncConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config} option every command that talks to the database or AWS shares, and the
 * loading that refuses to go on with a configuration that does not validate.
 *
 * <p>Not thread-safe; one per command invocation.
 */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "${env:CREDSYNC_CONFIG}",
            description = "The YAML configuration file (default: $CREDSYNC_CONFIG; none: the environment alone).")
    Path file;

    /**
     * Loads the configuration from the file and the environment.
     *
     * @param err where to explain a configuration that does not validate
     * @return the configuration, or null after printing every problem to {@code err}; the caller
     *     then exits with {@link Main#EXIT_CONFIG}
     */
    CredsyncConfig load(PrintWriter err) {
        try {
            return CredsyncConfig.load(file, System.getenv());
        } catch (ConfigException e) {
            err.println("credsync: the configuration is not valid:");
            e.problems().forEach(problem -> err.println("  " + problem));
            err.flush();
            return null;
        }
    }
}
