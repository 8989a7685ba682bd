package io.credsync.cli;

import io.credsync.testing.SecretScan;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One in-process run of a command, as {@code Main} would run it, with what it printed.
 *
 * @param exitCode what {@code execute} returned
 * @param out what it printed to stdout
 * @param err what it printed to stderr
 */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        CommandRun run = new CommandRun(exitCode, out.toString(), err.toString());
        SecretScan.output("cli-" + command.getClass().getSimpleName(), run.toString());
        return run;
    }

    /** Everything printed, for assertions about what must never appear. */
    String all() {
        return out + err;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
