package io.credsync.doctor;

import io.credsync.install.InstallKind;
import java.util.Optional;

/**
 * Is {@code log_min_error_statement} {@code panic}? Below that, PostgreSQL writes the text of a
 * failed statement to the server log beside the error: for a password statement, the password.
 * The native module hides every error of a statement that reached its hook; one that fails
 * before it (a syntax error, an unknown role, a refused ALTER ROLE) is hidden only by this
 * setting. On pg_tle it matters more: pg_tle hides only the errors its hook's functions raise,
 * not a termination or a concurrent change's error after the hook. A warning, not a failure:
 * credsync works either way, and the setting also hides the text of every other failed
 * statement, which some operators want to keep.
 */
final class ErrorStatementLogCheck implements Check {

    static final String SETTING = "log_min_error_statement";

    @Override
    public String name() {
        return SETTING;
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        return verdict(context.facts().value(SETTING), context.kind());
    }

    static CheckResult verdict(Optional<String> value, Optional<InstallKind> kind) throws CheckSkipped {
        if (value.isEmpty()) {
            throw new CheckSkipped(SETTING + " cannot be read");
        }
        if (value.get().equals("panic")) {
            return CheckResult.ok("panic: no failed statement is logged with its text, so no password in one");
        }
        boolean pgTle = kind.filter(k -> k == InstallKind.PGTLE).isPresent();
        String what = pgTle
                ? "a password statement that fails (before pg_tle's hook, or after it: a terminated session, a"
                        + " concurrent change of the role) is written to the server log with its password"
                : "a password statement that fails before credsync's hook runs (a syntax error, an unknown role,"
                        + " a refused ALTER ROLE) is written to the server log with its password";
        return CheckResult.warn(value.get() + ": " + what, "set " + SETTING + " = panic ("
                + (pgTle ? "in the DB parameter group" : "config/postgresql-credsync.conf does") + ") and reload");
    }
}
