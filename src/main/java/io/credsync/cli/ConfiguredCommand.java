package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that works from the configuration: checks its own arguments, loads and validates the
 * configuration (printing every problem and exiting {@link Main#EXIT_CONFIG} if it does not
 * validate), then runs with it.
 *
 * <p>Not thread-safe; one instance per invocation, as picocli makes them.
 */
abstract class ConfiguredCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        checkArguments();
        PrintWriter err = spec.commandLine().getErr();
        CredsyncConfig loaded = config.load(err);
        if (loaded == null) {
            return Main.EXIT_CONFIG;
        }
        return run(loaded, spec.commandLine().getOut(), err);
    }

    /**
     * Refuses arguments that do not go together, before the configuration is read.
     *
     * @throws picocli.CommandLine.ParameterException naming what is wrong (exit code 2)
     */
    void checkArguments() {
    }

    /** Runs the command; returns its exit code. */
    abstract int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err);
}
