package io.credsync.doctor;

import io.credsync.config.VerifyMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Can the consumer try the password of every managed role before publishing it? It cannot for a
 * role without LOGIN, whose VALID UNTIL has passed, or which is at its connection limit; those
 * events then follow {@code delivery.verify} (failed, unverified, or not checked at all). Read
 * from {@code pg_roles}, which any role may; what pg_hba.conf allows a role is not visible from
 * SQL without superuser rights, so a role it refuses a password login shows only at delivery.
 */
final class VerifiableRolesCheck implements Check {

    /** More names than this are summarised, so that one line stays one line. */
    private static final int NAMES_SHOWN = 10;

    @Override
    public String name() {
        return "verifiable managed roles";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        VerifyMode mode = context.config().delivery().verify();
        if (mode == VerifyMode.OFF) {
            return CheckResult.warn("delivery.verify is off: passwords are published without a login check",
                    "set delivery.verify to required, so that only a password that logs in is published");
        }
        List<String> problems = new ArrayList<>();
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT r.rolname, NOT r.rolcanlogin, r.rolvaliduntil <= now(),"
                        + " r.rolconnlimit >= 0 AND (SELECT count(*) FROM pg_catalog.pg_stat_activity a"
                        + " WHERE a.usename = r.rolname) >= r.rolconnlimit"
                        + " FROM pg_catalog.pg_roles r WHERE EXISTS"
                        + " (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern) ORDER BY 1");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String why = rows.getBoolean(2) ? "no LOGIN"
                        : rows.getBoolean(3) ? "VALID UNTIL has passed"
                        : rows.getBoolean(4) ? "at its connection limit" : null;
                if (why != null) {
                    problems.add(rows.getString(1) + " (" + why + ")");
                }
            }
        }
        if (problems.isEmpty()) {
            return CheckResult.ok("every managed role can log in, so each password is tried before it is published");
        }
        String names = Listing.firstOf(problems, NAMES_SHOWN, ", ", " and ");
        String consequence = mode == VerifyMode.REQUIRED
                ? "their changes will be recorded as failed (delivery.verify: required)"
                : "their changes will be published unverified (delivery.verify: best-effort)";
        return CheckResult.warn(problems.size() + " managed role(s) cannot be verified: " + names + "; " + consequence,
                "give such roles LOGIN (a password only they use), renew VALID UNTIL, or unmanage them;"
                        + " or set delivery.verify to best-effort");
    }
}
