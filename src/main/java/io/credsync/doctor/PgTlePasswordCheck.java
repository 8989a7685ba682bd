package io.credsync.doctor;

import io.credsync.install.InstallKind;
import io.credsync.install.ServerFacts;

/**
 * Is {@code pgtle.enable_password_check} {@code require}? {@code on} runs the hook where it is
 * registered, and lets a password change in a database without credsync pass unrecorded (a
 * warning); {@code off} runs no hook at all (a failure). Applies to the pg_tle install.
 */
final class PgTlePasswordCheck implements Check {

    static final String SETTING = "pgtle.enable_password_check";

    @Override
    public String name() {
        return SETTING;
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        if (context.kind().filter(k -> k == InstallKind.PGTLE).isEmpty()) {
            return CheckResult.notApplicable("not the pg_tle install");
        }
        ServerFacts facts = context.facts();
        String value = facts.value(SETTING).orElseThrow(() -> new CheckSkipped("pg_tle is not loaded"));
        String fix = "set " + SETTING + " = require (" + (facts.rds() ? "parameter group" : "postgresql.conf")
                + ", then reload)";
        return switch (value) {
            case "require" -> CheckResult.ok(value);
            case "on" -> CheckResult.warn(value + ": a password change in a database where credsync is not"
                    + " installed passes unrecorded", fix);
            default -> CheckResult.fail(value + ": pg_tle calls no passcheck hook, so no password change is"
                    + " captured", fix);
        };
    }
}
