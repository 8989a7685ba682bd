package io.credsync.doctor;

import io.credsync.connection.PgConnector;
import io.credsync.install.InstallKind;
import io.credsync.install.ServerFacts;
import io.credsync.install.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Is {@code pgtle.passcheck_db_name} empty? Set, pg_tle runs the hook in a background worker in
 * that database, in a transaction of its own that commits even when the {@code ALTER ROLE} rolls
 * back: credsync then refuses every managed change (it cannot tell a rolled-back one), and pg_tle
 * writes the refused statement, password included, to the server log. Applies to the pg_tle
 * install.
 */
final class PgTleDbNameCheck implements Check {

    static final String SETTING = "pgtle.passcheck_db_name";

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
        if (!facts.settings().containsKey(PgTlePasswordCheck.SETTING)) {
            throw new CheckSkipped("pg_tle is not loaded");
        }
        String value = facts.value(SETTING).orElse("");
        if (value.isEmpty()) {
            return CheckResult.ok("empty: the hook runs inside each ALTER ROLE's own transaction");
        }
        String fix = "set " + SETTING + " to an empty string (its default) and reload, and run credsync install,"
                + " which covers every database";
        // pg_tle then runs only the hooks registered in that database, whatever database the change is made in.
        Optional<String> gap;
        try (Connection there = PgConnector.of(context.config().database().withName(value)).connect()) {
            gap = ClusterCoverageCheck.gap(there, InstallKind.PGTLE);
        } catch (SQLException e) {
            return CheckResult.fail("'" + value + "': pg_tle runs the passcheck hooks of that database only, in a"
                    + " background worker, and it cannot be checked (" + SqlErrors.explain(e) + ")", fix);
        }
        if (gap.isPresent()) {
            return CheckResult.fail("'" + value + "': pg_tle runs the passcheck hooks of that database only, and"
                    + " credsync's is not there (" + gap.get() + "): a managed role's password change passes"
                    + " unrecorded, or, with no hook at all, is refused", fix);
        }
        return CheckResult.fail("'" + value + "': the hook runs in a background worker whose transaction commits"
                        + " even when the ALTER ROLE rolls back, so credsync refuses every managed change, and"
                        + " pg_tle logs the refused statement with its password", fix);
    }
}
