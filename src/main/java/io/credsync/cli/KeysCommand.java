package io.credsync.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code credsync keys}: the KMS keys whose public halves the database encrypts to. Only a
 * group: run without a subcommand, it prints its usage and exits 2.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Manages the KMS keys password changes are encrypted to.",
                "The database holds only public keys; the consumer decrypts with kms:Decrypt."},
        subcommands = {KeysAddCommand.class, KeysListCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed", "2:bad usage (or no subcommand)", "3:the configuration is not valid"})
final class KeysCommand implements Callable<Integer> {

    /** picocli's code for a usage error. */
    private static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("keys: say what to do: add or list");
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }
}
