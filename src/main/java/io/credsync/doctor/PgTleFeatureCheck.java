package io.credsync.doctor;

import io.credsync.install.InstallKind;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Is credsync's adapter registered as pg_tle's passcheck hook in this database? The install
 * registers it; without the registration pg_tle never calls it. Applies to the pg_tle install.
 */
final class PgTleFeatureCheck implements Check {

    static final String ADAPTER = "credsync.pgtle_passcheck";

    @Override
    public String name() {
        return "pg_tle passcheck registration";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        if (context.kind().filter(k -> k == InstallKind.PGTLE).isEmpty()) {
            return CheckResult.notApplicable("not the pg_tle install");
        }
        if (context.facts().pgTleVersion().isEmpty()) {
            throw new CheckSkipped("the pg_tle extension is not created in this database");
        }
        List<String> hooks = new ArrayList<>();
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT f.schema_name || '.' || f.proname FROM pgtle.feature_info f WHERE f.feature = 'passcheck'"
                        + " ORDER BY 1");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                hooks.add(rows.getString(1));
            }
        }
        if (hooks.contains(ADAPTER)) {
            return CheckResult.ok(ADAPTER + " is registered" + (hooks.size() > 1
                    ? "; so are " + String.join(", ", hooks.stream().filter(h -> !h.equals(ADAPTER)).toList())
                    : ""));
        }
        return CheckResult.fail(ADAPTER + " is not registered as a passcheck hook, so pg_tle never calls it",
                "SELECT pgtle.register_feature('" + ADAPTER + "'::regproc, 'passcheck'), as a member of pgtle_admin");
    }
}
