package io.credsync.cli;

import io.credsync.verify.Pbkdf2Provider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code credsync} command line. Exit codes scripts can trust: 0 success, 1 a failure while
 * running, 2 a usage error, 3 a configuration that does not validate.
 */
@Command(name = "credsync", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Keeps AWS Secrets Manager in step with PostgreSQL password changes.",
        subcommands = {RunCommand.class, InstallCommand.class, KeysCommand.class, StatusCommand.class,
                EventsCommand.class, ReplayCommand.class, DismissCommand.class, RotateCommand.class,
                ReleaseDatabaseCommand.class,
                DoctorCommand.class})
public final class Main implements Runnable {

    /** Exit code for a configuration that does not validate. */
    static final int EXIT_CONFIG = 3;

    public static void main(String[] args) {
        // Every login's SCRAM key derivation, the consumer's login check above all, at half the hashing.
        Pbkdf2Provider.install();
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }
}
