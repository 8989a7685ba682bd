package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import io.credsync.doctor.CheckStatus;
import io.credsync.doctor.Doctor;
import io.credsync.doctor.DoctorChecks;
import io.credsync.doctor.DoctorContext;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code credsync doctor}: runs every check of {@link DoctorChecks#standard()} and prints one line
 * each, with a fix for each that is not ok. Not thread-safe; one per invocation.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Checks that credsync can work here, and says how to fix what is wrong.",
                "Database settings, the passcheck hook, the extension, publication and slot, the consumer role's"
                        + " privileges, the active key against KMS (with a kms:Decrypt round trip), and Secrets"
                        + " Manager permissions (probed on a secret name that does not exist: nothing is written),"
                        + " and the managed roles' secrets that credsync would refuse to write (owned by another"
                        + " service, rotated, or scheduled for deletion).",
                "Run it with the consumer's configuration and AWS credentials, so that it checks what the consumer"
                        + " can do."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no check failed (warnings allowed)", "1:at least one check failed", "2:bad usage",
                "3:the configuration is not valid"})
final class DoctorCommand extends ConfiguredCommand {

    @Option(names = "--consumer-role", paramLabel = "NAME",
            description = "The role whose privileges to check (default: database.user).")
    String consumerRole;

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        List<Doctor.Finding> findings;
        try (DoctorContext context = DoctorContext.of(loaded, consumerRole)) {
            findings = new Doctor(DoctorChecks.standard()).run(context, finding -> {
                finding.lines().forEach(out::println);
                out.flush();
            });
        }
        long failed = findings.stream().filter(f -> f.result().status() == CheckStatus.FAIL)
                .count();
        long warned = findings.stream().filter(f -> f.result().status() == CheckStatus.WARN)
                .count();
        out.println(failed == 0 && warned == 0 ? "all checks passed"
                : failed + " failed, " + warned + " warned, of " + findings.size() + " checks");
        out.flush();
        return Doctor.passed(findings) ? 0 : 1;
    }
}
