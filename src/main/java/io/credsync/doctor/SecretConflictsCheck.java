package io.credsync.doctor;

import io.credsync.aws.AwsErrorCodes;
import io.credsync.config.CredsyncConfig;
import io.credsync.keys.AwsCallException;
import io.credsync.keys.AwsErrors;
import io.credsync.secrets.SecretConflict;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretWriteException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * Will the consumer refuse to write some managed role's secret? For each existing role that the
 * managed patterns match, the secret's name is made as the consumer makes it, and
 * {@code DescribeSecret} tells whether it is scheduled for deletion, owned by another service or
 * rotated (see {@link SecretConflict}): the next password change of such a role would be recorded
 * as failed. Roles listed in {@code secrets.allow_conflicting_roles} are reported as allowed, not
 * as problems (a secret scheduled for deletion stays a problem: no setting lifts it). A secret
 * that does not exist yet is fine: the consumer creates it.
 *
 * <p>One {@code DescribeSecret} per managed role; it reads metadata only, never a secret value.
 * Roles created later (the hook manages them by name at {@code CREATE ROLE}) are not seen.
 */
final class SecretConflictsCheck implements Check {

    /** More roles than this are summarised, so that one line stays one line. */
    private static final int ROLES_SHOWN = 10;

    @Override
    public String name() {
        return "managed roles' secrets";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        CredsyncConfig config = context.config();
        SecretNamer namer = SecretNamer.of(config.secrets());
        Set<String> allowedRoles = config.secrets().allowConflictingRoles();
        List<String> roles = managedRoles(context);
        if (roles.isEmpty()) {
            return CheckResult.ok("no managed role exists yet");
        }
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        for (String role : roles) {
            String secretName;
            try {
                secretName = namer.nameFor(config.database().name(), role);
            } catch (SecretWriteException e) {
                problems.add(e.getMessage());
                fixes.add(SecretNamer.shown(role) + ": a per-role override (secrets.overrides)");
                continue;
            }
            DescribeSecretResponse described = describe(context.secretsManager(), secretName);
            if (described == null) {
                continue;
            }
            for (SecretConflict conflict : SecretConflict.of(secretName, described)) {
                if (conflict.allowedFor(role, allowedRoles)) {
                    allowed.add(SecretNamer.shown(role) + " (" + conflict.problem() + ")");
                } else {
                    problems.add(SecretNamer.shown(role) + ": " + conflict.problem());
                    fixes.add(SecretNamer.shown(role) + ": " + conflict.fix(role));
                    break; // the consumer stops at the first one too
                }
            }
        }
        String allowedNote = allowed.isEmpty() ? ""
                : "; written all the same, as " + SecretConflict.ALLOW_KEY + " lists them: " + shown(allowed);
        if (problems.isEmpty()) {
            return CheckResult.ok("none of the " + roles.size() + " managed roles' secrets is scheduled for deletion,"
                    + " owned by another service or rotated" + allowedNote);
        }
        return CheckResult.warn(problems.size() + " managed role(s) cannot have their secret written, so their"
                + " password changes will be recorded as failed: " + shown(problems) + allowedNote, shown(fixes));
    }

    private static List<String> managedRoles(DoctorContext context) throws Exception {
        List<String> roles = new ArrayList<>();
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT r.rolname FROM pg_catalog.pg_roles r WHERE EXISTS"
                        + " (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern) ORDER BY 1");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                roles.add(rows.getString(1));
            }
        }
        return roles;
    }

    /** @return the secret's metadata, or null when it does not exist (yet) */
    private static DescribeSecretResponse describe(SecretsManagerClient client, String secretName)
            throws AwsCallException {
        try {
            return client.describeSecret(request -> request.secretId(secretName));
        } catch (SdkException e) {
            if (AwsErrorCodes.RESOURCE_NOT_FOUND.equals(AwsErrorCodes.of(e))) {
                return null;
            }
            throw new AwsCallException(AwsErrors.secretsManager("DescribeSecret", secretName, e), e);
        }
    }

    private static String shown(List<String> items) {
        return Listing.firstOf(items, ROLES_SHOWN, "; ", "; and ");
    }
}
