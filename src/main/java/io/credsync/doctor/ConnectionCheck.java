package io.credsync.doctor;

import io.credsync.install.Installer;
import io.credsync.install.ServerFacts;
import io.credsync.install.SqlErrors;
import java.sql.SQLException;

/**
 * Can credsync log in to the configured database, and is the server new enough? Every database
 * check after this one is skipped when it cannot.
 */
final class ConnectionCheck implements Check {

    @Override
    public String name() {
        return "database connection";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        try {
            context.connect();
        } catch (SQLException e) {
            String advice = SqlErrors.adviceFor(e);
            return CheckResult.fail(SqlErrors.problem(e), advice.isEmpty() ? "check the database section" : advice);
        }
        ServerFacts facts = context.facts();
        String who = "database " + facts.database() + " as " + facts.currentUser()
                + ", server_version_num " + facts.serverVersionNum();
        if (facts.serverVersionNum() < Installer.MIN_SERVER_VERSION_NUM) {
            return CheckResult.fail(who, "credsync needs PostgreSQL 15 or newer: upgrade the server");
        }
        return CheckResult.ok(who);
    }
}
