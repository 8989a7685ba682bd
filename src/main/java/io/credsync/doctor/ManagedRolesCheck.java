package io.credsync.doctor;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Are any roles managed? With no pattern in {@code credsync.managed_role}, no password change is
 * recorded: not wrong, but rarely what is meant.
 */
final class ManagedRolesCheck implements Check {

    @Override
    public String name() {
        return "managed roles";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        List<String> patterns = new ArrayList<>();
        long roles;
        try (PreparedStatement statement = context.connection().prepareStatement(
                // The count is the same on every row: roles matching any pattern, each counted once.
                "SELECT m.pattern, (SELECT count(*) FROM pg_catalog.pg_roles r WHERE EXISTS"
                        + " (SELECT FROM credsync.managed_role p WHERE r.rolname LIKE p.pattern))"
                        + " FROM credsync.managed_role m ORDER BY m.pattern");
                ResultSet rows = statement.executeQuery()) {
            roles = 0;
            while (rows.next()) {
                patterns.add(rows.getString(1));
                roles = rows.getLong(2);
            }
        }
        if (patterns.isEmpty()) {
            return CheckResult.warn("none: no password change is recorded",
                    "SELECT credsync.manage('app\\_%'); a LIKE pattern of role names, \\_ for a literal underscore");
        }
        return CheckResult.ok(patterns.size() + (patterns.size() == 1 ? " pattern" : " patterns") + " ("
                + String.join(", ", patterns) + ") matching " + roles + (roles == 1 ? " role" : " roles") + " now");
    }
}
