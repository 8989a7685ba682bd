package io.credsync.doctor;

import io.credsync.aws.AwsErrorCodes;
import io.credsync.install.SqlErrors;
import io.credsync.keys.AwsCallException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs checks one after another and reports each as it finishes. A check that throws is
 * reported, not propagated: one broken check never hides the others. Immutable and
 * thread-safe; the context it is given is not.
 */
public final class Doctor {

    /** One check's name and result. */
    public record Finding(String name, CheckResult result) {
        public Finding {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(result, "result");
        }

        /** The printed lines: {@code <status>  <name>: <detail>}, then {@code fix: ...} for WARN and FAIL. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format("%-4s  %s: %s", result.status().label(), name, result.detail()));
            if (!result.fix().isEmpty()) {
                lines.add("      fix: " + result.fix());
            }
            return lines;
        }
    }

    private final List<Check> checks;

    public Doctor(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /**
     * @param onEach called with each finding as soon as it is known (not for checks that do not apply)
     * @return every finding that applies, in the order of the checks
     */
    public List<Finding> run(DoctorContext context, Consumer<Finding> onEach) {
        List<Finding> findings = new ArrayList<>();
        for (Check check : checks) {
            Finding finding = new Finding(check.name(), runOne(check, context));
            if (finding.result().status() != CheckStatus.NOT_APPLICABLE) {
                findings.add(finding);
                onEach.accept(finding);
            }
        }
        return findings;
    }

    /** Whether none failed: warnings alone pass. */
    public static boolean passed(List<Finding> findings) {
        return findings.stream().noneMatch(f -> f.result().status() == CheckStatus.FAIL);
    }

    static CheckResult runOne(Check check, DoctorContext context) {
        try {
            return Objects.requireNonNull(check.run(context), () -> check.name() + " returned no result");
        } catch (CheckSkipped e) {
            return CheckResult.skip(e.getMessage());
        } catch (SQLException e) {
            String advice = SqlErrors.adviceFor(e);
            return CheckResult.fail(SqlErrors.problem(e), advice.isEmpty() ? "see the server's log" : advice);
        } catch (AwsCallException e) {
            String advice = e.explanation().advice();
            return CheckResult.fail(e.explanation().problem(), advice.isEmpty() ? "see the AWS error code" : advice);
        } catch (SdkException e) {
            return CheckResult.fail("an AWS call failed with " + AwsErrorCodes.of(e),
                    "see the AWS error code; run doctor again if it was transient");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.skip("interrupted");
        } catch (Exception e) {
            // A bug in the check, most likely: say which, and go on with the others.
            return CheckResult.fail("the check itself failed: " + e,
                    "report this as a credsync bug, with this line");
        }
    }
}
