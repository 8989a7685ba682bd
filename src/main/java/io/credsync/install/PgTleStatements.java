package io.credsync.install;

import io.credsync.install.ConsumerPrivileges.Privilege;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL statements that install or update credsync through pg_tle, as text: what
 * {@link ExtensionPlanner} runs, and what {@code install --print-pgtle-sql} and
 * {@code sql/pgtle/build-installer} print, so that the printed script is what install does.
 * {@code PgTleStatementsTest} holds build-installer to that byte for byte. Stateless and
 * thread-safe.
 */
public final class PgTleStatements {

    /** Committed on its own before the rest (see {@link InstallAction#alone()}). */
    static final String CREATE_PG_TLE = "CREATE EXTENSION IF NOT EXISTS pg_tle";

    /** Install's lock against a second install at once; taken again after each commit. */
    static final String LOCK = "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('credsync install'))";

    /**
     * What to print.
     *
     * @param from the installed version to update from; empty for a database without credsync
     * @param consumerRole the consumer's role, whose grants to add; empty for none
     * @param replicationAttribute give that role the REPLICATION attribute, as install does where
     *     there is no {@code rds_replication} role, instead of granting {@code rds_replication}
     */
    public record Request(Optional<String> from, Optional<String> consumerRole, boolean replicationAttribute) {
        public Request {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(consumerRole, "consumerRole");
        }

        /** A fresh install, without grants. */
        public static Request fresh() {
            return new Request(Optional.empty(), Optional.empty(), false);
        }
    }

    private PgTleStatements() {
    }

    static String installExtension(SchemaScript script) {
        return "SELECT pgtle.install_extension(\n"
                + "    " + literal(SchemaScript.EXTENSION) + ",\n"
                + "    " + literal(SchemaScript.VERSION) + ",\n"
                + "    " + literal(SchemaScript.DESCRIPTION) + ",\n"
                + "    " + SchemaScript.INSTALLER_TAG + "\n"
                + script.pgTleScript() + "\n"
                + SchemaScript.INSTALLER_TAG + ",\n"
                + "    ARRAY[" + String.join(", ", SchemaScript.REQUIRES.stream().map(PgTleStatements::literal)
                        .toList()) + "])";
    }

    static String installUpdatePath(SchemaScript script, String from, String to) {
        return "SELECT pgtle.install_update_path(\n"
                + "    " + literal(SchemaScript.EXTENSION) + ",\n"
                + "    " + literal(from) + ",\n"
                + "    " + literal(to) + ",\n"
                + "    " + SchemaScript.INSTALLER_TAG + "\n"
                + script.pgTleUpdateScript(from, to) + "\n"
                + SchemaScript.INSTALLER_TAG + ")";
    }

    static String setDefaultVersion(String version) {
        return "SELECT pgtle.set_default_version(" + literal(SchemaScript.EXTENSION) + ", " + literal(version) + ")";
    }

    static String createExtension(String version) {
        return "CREATE EXTENSION IF NOT EXISTS " + SchemaScript.EXTENSION + " VERSION " + literal(version) + " CASCADE";
    }

    static String updateExtension(String version) {
        return "ALTER EXTENSION " + SchemaScript.EXTENSION + " UPDATE TO " + literal(version);
    }

    /**
     * The statements install runs inside its transaction, after pg_tle exists: for a database
     * without credsync, or one with {@code request.from()} installed, where pg_tle defines nothing
     * newer; then the consumer's grants, as install makes them for a role that holds none of
     * them (pg_tle's install gives PUBLIC USAGE on the schema, so that is not among them).
     *
     * @throws InstallException if there is no update path from {@code request.from()}
     */
    public static List<String> statements(SchemaScript script, Request request) throws InstallException {
        List<String> statements = new ArrayList<>();
        if (request.from().isEmpty()) {
            statements.add(installExtension(script));
            statements.add(createExtension(SchemaScript.VERSION));
        } else {
            for (List<String> step : SchemaScript.updateSteps(request.from().get())) {
                statements.add(installUpdatePath(script, step.get(0), step.get(1)));
            }
            statements.add(setDefaultVersion(SchemaScript.VERSION));
            statements.add(updateExtension(SchemaScript.VERSION));
        }
        if (request.consumerRole().isPresent()) {
            String role = request.consumerRole().get();
            Set<Privilege> missing = ConsumerPrivileges.Privilege.all();
            missing.removeAll(ConsumerPrivileges.grantedToPublicByInstall(InstallKind.PGTLE));
            for (Privilege privilege : missing) {
                statements.add(ConsumerGrants.grant(privilege, role));
            }
            statements.add(request.replicationAttribute() ? ConsumerGrants.replicationAttribute(role)
                    : ConsumerGrants.rdsReplication(role));
        }
        return statements;
    }

    /**
     * The psql script: what {@code sql/pgtle/build-installer} prints with the same options.
     *
     * @throws IllegalArgumentException if there is no update path from {@code request.from()}
     */
    public static String installerSql(SchemaScript script, Request request) {
        List<String> statements;
        try {
            statements = statements(script, request);
        } catch (InstallException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        StringBuilder sql = new StringBuilder();
        sql.append("-- credsync ").append(request.from().map(from -> from + " -> ").orElse(""))
                .append(SchemaScript.VERSION).append(" for pg_tle. Generated by sql/pgtle/build-installer; do not edit.\n")
                .append("-- The statements `credsync install` runs in a database ")
                .append(request.from().isEmpty() ? "without credsync" : "with credsync " + request.from().get())
                .append(request.consumerRole().isEmpty() ? "" : ", and the grants it makes to a consumer role that"
                        + " holds none (a GRANT of what the role holds already changes nothing)")
                .append(".\n")
                .append("-- Run it as a member of pgtle_admin (rds_superuser on RDS and Aurora) with psql -v ON_ERROR_STOP=1.\n");
        if (request.from().isEmpty()) {
            // Its own transaction: pg_tle's update scripts add enum values that no statement may use
            // in the transaction that added them.
            sql.append(CREATE_PG_TLE).append(";\n");
        }
        sql.append("BEGIN;\n").append(LOCK).append(";\n");
        statements.forEach(statement -> sql.append(statement).append(";\n"));
        sql.append("COMMIT;\n");
        return sql.toString();
    }

    /** A string literal; versions and names here never hold a backslash. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
