package io.credsync.doctor;

import io.credsync.install.ConsumerPrivileges;
import io.credsync.install.ConsumerPrivileges.Privilege;
import io.credsync.install.ConsumerPrivileges.RoleAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Can the consumer's role do its work: log in, stream from a slot (REPLICATION, or
 * {@code rds_replication}), read the outbox and record deliveries? What {@code credsync run}
 * needs fails when missing; what only doctor and status need warns; a superuser works but warns,
 * because a role of its own limits what a leaked consumer login can do.
 */
final class ConsumerRoleCheck implements Check {

    @Override
    public String name() {
        return "consumer role";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        String role = context.consumerRole();
        String grant = "credsync install --consumer-role " + role + " (as a superuser)";
        RoleAccess access = ConsumerPrivileges.read(context.connection(), role, Set.of()).orElse(null);
        if (access == null) {
            return CheckResult.fail("role " + role + " does not exist",
                    "CREATE ROLE " + role + " LOGIN PASSWORD '...', then " + grant);
        }
        if (access.superuser()) {
            return CheckResult.warn(role + " is a superuser: it can do everything, far more than it needs",
                    "run the consumer as a role of its own: " + grant);
        }
        List<String> fatal = new ArrayList<>();
        if (!access.canLogin()) {
            fatal.add("cannot log in");
        }
        if (!access.canReplicate()) {
            fatal.add("has neither REPLICATION nor rds_replication");
        }
        Set<Privilege> missing = access.missing();
        List<String> lacksToRun = missing.stream().filter(Privilege::neededToRun).map(Privilege::object).toList();
        List<String> lacksToReport = missing.stream().filter(p -> !p.neededToRun()).map(Privilege::object).toList();
        if (!lacksToRun.isEmpty()) {
            fatal.add("lacks " + String.join(", ", lacksToRun));
        }
        if (!fatal.isEmpty()) {
            String login = access.canLogin() ? "" : "ALTER ROLE " + role + " LOGIN; ";
            return CheckResult.fail(role + " " + String.join("; ", fatal), login + grant);
        }
        if (!lacksToReport.isEmpty()) {
            return CheckResult.warn(role + " lacks " + String.join(", ", lacksToReport)
                    + ", which doctor and status read", grant);
        }
        return CheckResult.ok(role + " can log in, stream (" + (access.replicationAttribute() ? "REPLICATION"
                : "rds_replication") + "), read the outbox and record deliveries");
    }
}
