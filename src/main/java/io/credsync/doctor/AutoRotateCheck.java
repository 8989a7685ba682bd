package io.credsync.doctor;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * With {@code drift.auto_rotate}, may the consumer rotate the managed roles? {@code credsync.rotate}
 * does no more than its caller's own ALTER ROLE could ({@code credsync.may_set_password}, the
 * server's rule for its version), so besides EXECUTE on rotate, without which the consumer
 * refuses to start, the consumer's role needs the right to change each role's password: CREATEROLE
 * on PostgreSQL 15 (which then covers every role but superuser and REPLICATION ones), CREATEROLE
 * and ADMIN OPTION on each role on 16 and later. No superuser role can be rotated by a consumer that
 * is not one. install grants none of this: it is the operator's choice.
 */
final class AutoRotateCheck implements Check {

    private static final int NAMES_SHOWN = 10;
    private static final String ROTATE = "credsync.rotate(text, integer, text)";

    @Override
    public String name() {
        return "drift.auto_rotate";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        if (!context.config().drift().autoRotate()) {
            return CheckResult.notApplicable("drift.auto_rotate is off: drifted roles are reported, not rotated");
        }
        context.requireExtension();
        String consumer = context.consumerRole();
        if (!mayExecuteRotate(context, consumer)) {
            return CheckResult.fail(consumer + " may not execute credsync.rotate, so the consumer refuses to start",
                    "GRANT EXECUTE ON FUNCTION " + ROTATE + " TO " + consumer + ", or set drift.auto_rotate to false");
        }
        List<String> superusers = new ArrayList<>();
        List<String> others = new ArrayList<>();
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT r.rolname, r.rolsuper FROM pg_catalog.pg_roles r"
                        + " WHERE EXISTS (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern)"
                        + " AND NOT credsync.may_set_password(?, r.rolname) ORDER BY 1")) {
            statement.setString(1, consumer);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    (rows.getBoolean(2) ? superusers : others).add(rows.getString(1));
                }
            }
        }
        if (superusers.isEmpty() && others.isEmpty()) {
            return CheckResult.ok(consumer + " may rotate every managed role");
        }
        List<String> fixes = new ArrayList<>();
        if (!others.isEmpty()) {
            fixes.add(context.facts().serverVersionNum() >= 160000
                    ? "ALTER ROLE " + consumer + " CREATEROLE, and for each such role GRANT <role> TO " + consumer
                            + " WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
                    : "ALTER ROLE " + consumer + " CREATEROLE (on PostgreSQL 15 that lets it alter every role but"
                            + " superuser and REPLICATION ones, which it can never rotate)");
        }
        if (!superusers.isEmpty()) {
            fixes.add("rotate superuser roles as a superuser (credsync rotate ROLE)");
        }
        List<String> all = new ArrayList<>(others);
        all.addAll(superusers);
        return CheckResult.warn(all.size() + " managed role(s) that " + consumer + " may not rotate, since its own"
                + " ALTER ROLE could not change their passwords: " + Listing.firstOf(all, NAMES_SHOWN, ", ", " and ")
                + "; their drift is reported but not fixed", String.join("; ", fixes)
                + "; or set drift.auto_rotate to false");
    }

    private static boolean mayExecuteRotate(DoctorContext context, String role) throws Exception {
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT COALESCE(bool_or(pg_catalog.has_schema_privilege(r.oid, p.pronamespace, 'USAGE')"
                        + " AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')), false)"
                        + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace,"
                        + " pg_catalog.pg_roles r"
                        + " WHERE n.nspname = 'credsync' AND p.proname = 'rotate' AND r.rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }
}
