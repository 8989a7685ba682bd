package io.credsync.doctor;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Does every managed role's secret still log in? Reports what the consumer's last drift check
 * recorded in {@code credsync.drift_check} (doctor does not repeat the logins: the consumer's
 * verdicts already skip roles whose changes are on their way, which a one-off check cannot know).
 */
final class SecretDriftCheck implements Check {

    /** More roles than this are summarised, so that one line stays one line. */
    private static final int ROLES_SHOWN = 5;

    @Override
    public String name() {
        return "secret drift";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        if (!context.config().drift().enabled()) {
            return CheckResult.warn("drift.enabled is false: nobody checks that the secrets still log in",
                    "set drift.enabled to true (the default)");
        }
        List<String> drifted = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT c.role_name, c.reason, c.fix, c.drifted_since::text FROM credsync.drift_check c"
                        + " WHERE c.state = 'drifted' ORDER BY c.drifted_since, c.role_name");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                drifted.add(rows.getString(1) + " (" + rows.getString(2) + ", since " + rows.getString(4) + ")");
                fixes.add(rows.getString(3));
            }
        }
        if (drifted.isEmpty()) {
            long checked = countChecked(context);
            return checked == 0
                    ? CheckResult.ok("no drift check recorded yet: the consumer checks every "
                            + context.config().drift().interval() + " while it streams")
                    : CheckResult.ok(checked + " managed role(s) checked, none drifted");
        }
        return CheckResult.fail(drifted.size() + " role(s) drifted: their secret does not log in: "
                + Listing.firstOf(drifted, ROLES_SHOWN, "; ", "; and "),
                String.join(" ", fixes.subList(0, Math.min(ROLES_SHOWN, fixes.size())))
                        + (fixes.size() > ROLES_SHOWN ? " (credsync status lists every role)" : ""));
    }

    private static long countChecked(DoctorContext context) throws Exception {
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT count(*) FROM credsync.drift_check");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
