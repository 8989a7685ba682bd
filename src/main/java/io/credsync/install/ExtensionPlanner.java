package io.credsync.install;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides which statements bring the credsync extension to the version at hand, from
 * {@link ServerFacts} alone: pure and stateless, thread-safe.
 *
 * <p>Native: the version is whatever files the server has ({@code make -C sql/native install}
 * put them there), so install creates or updates to their default version and notes when that
 * differs from this jar's. pg_tle: the jar is the source, so install defines its version with
 * {@code pgtle.install_extension} and creates that; where pg_tle defines an older release, it adds
 * the update scripts with {@code pgtle.install_update_path} and updates with
 * {@code ALTER EXTENSION}, which keeps the outbox and delivery records. Already at the version:
 * nothing.
 */
public final class ExtensionPlanner {

    /**
     * What to change, and what the operator should know besides.
     *
     * @param actions the changes, in order; empty when the extension is as it should be
     * @param state one line saying where the extension stands (after the actions)
     * @param notes warnings that change nothing, e.g. a version mismatch; may be empty
     */
    public record Plan(List<InstallAction> actions, String state, List<String> notes) {
        public Plan {
            actions = List.copyOf(actions);
            Objects.requireNonNull(state, "state");
            notes = List.copyOf(notes);
        }
    }

    private ExtensionPlanner() {
    }

    /**
     * @throws InstallException when the extension cannot be brought to this jar's version here
     */
    public static Plan plan(ServerFacts facts, InstallKind kind, SchemaScript script) throws InstallException {
        return kind == InstallKind.NATIVE ? nativePlan(facts) : pgTlePlan(facts, script);
    }

    private static Plan nativePlan(ServerFacts facts) throws InstallException {
        List<InstallAction> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String installed = facts.installedVersion().orElse(null);
        String available = facts.fileDefaultVersion().orElse(null);
        if (available == null) {
            if (installed == null) {
                throw new InstallException("the credsync extension's files are not installed on the server: run"
                        + " make -C sql/native install on the database host");
            }
            // Created once, its files removed since (a package upgrade?): it works until PostgreSQL
            // needs the files again, e.g. for pg_dump's restore or ALTER EXTENSION.
            notes.add("the credsync extension's files are no longer on the server: reinstall them with make -C"
                    + " sql/native install from credsync " + installed);
            return new Plan(actions, "credsync " + installed + " (native extension) in database " + facts.database(),
                    notes);
        }
        String result = available;
        if (installed == null) {
            actions.add(InstallAction.sql("create extension credsync " + available + " (native) with pgcrypto",
                    "created extension credsync " + available + " (native) with pgcrypto",
                    "CREATE EXTENSION IF NOT EXISTS credsync CASCADE"));
        } else if (ExtensionVersions.isNewer(available, installed)) {
            actions.add(InstallAction.of("update extension credsync from " + installed + " to " + available,
                    "updated extension credsync from " + installed + " to " + available,
                    c -> run(c, "ALTER EXTENSION credsync UPDATE TO " + Sql.literal(c, available))));
        } else {
            result = installed;
            if (ExtensionVersions.isNewer(installed, available)) {
                notes.add("the server's credsync extension files are version " + available + ", older than the"
                        + " installed " + installed + ": nothing to do, but reinstall the files of " + installed);
            }
        }
        if (!result.equals(SchemaScript.VERSION)) {
            notes.add("this credsync is version " + SchemaScript.VERSION + ", the server's extension files are "
                    + available + ": run make -C sql/native install from credsync " + SchemaScript.VERSION
                    + " on the database host, then install again");
        }
        return new Plan(actions, "credsync " + result + " (native extension) in database " + facts.database(), notes);
    }

    private static Plan pgTlePlan(ServerFacts facts, SchemaScript script) throws InstallException {
        String version = SchemaScript.VERSION;
        List<InstallAction> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String installed = facts.installedVersion().orElse(null);
        if (installed != null && ExtensionVersions.isNewer(installed, version)) {
            notes.add("credsync " + installed + " is installed, newer than this credsync (" + version
                    + "): nothing to do; use the credsync release that matches it");
            return new Plan(actions, "credsync " + installed + " (pg_tle) in database " + facts.database(), notes);
        }
        if (facts.pgTleVersion().isEmpty()) {
            actions.add(InstallAction.sql("create extension pg_tle", "created extension pg_tle",
                    PgTleStatements.CREATE_PG_TLE).alone());
        }
        List<String> defined = facts.tleVersions();
        if (defined.isEmpty()) {
            actions.add(InstallAction.sql("define credsync " + version + " in pg_tle (pgtle.install_extension, "
                            + script.pgTleScript().length() + " characters of credsync.sql and adapter.sql)",
                    "defined credsync " + version + " in pg_tle (pgtle.install_extension)",
                    PgTleStatements.installExtension(script)));
        } else if (!defined.contains(version)) {
            actions.addAll(updatePaths(facts, script, defined.get(defined.size() - 1)));
        }
        if (installed == null) {
            actions.add(InstallAction.sql("create extension credsync " + version + " (pg_tle) with pgcrypto",
                    "created extension credsync " + version + " (pg_tle) with pgcrypto",
                    PgTleStatements.createExtension(version)));
        } else if (!installed.equals(version)) {
            // ALTER EXTENSION keeps every object and row: the outbox and the delivery records stay.
            actions.add(InstallAction.sql("update extension credsync from " + installed + " to " + version,
                    "updated extension credsync from " + installed + " to " + version,
                    PgTleStatements.updateExtension(version)));
        }
        return new Plan(actions, "credsync " + version + " (pg_tle) in database " + facts.database(), notes);
    }

    /**
     * Teaches pg_tle the way from {@code newest}, the newest version it defines, to this jar's:
     * one update script per release in between, then this version as the default, which a plain
     * {@code CREATE EXTENSION credsync} installs.
     */
    private static List<InstallAction> updatePaths(ServerFacts facts, SchemaScript script, String newest)
            throws InstallException {
        String version = SchemaScript.VERSION;
        if (ExtensionVersions.isNewer(newest, version)) {
            throw new InstallException("pg_tle defines credsync " + newest + " in database " + facts.database()
                    + ", newer than this credsync (" + version + "): use the credsync release that matches it");
        }
        List<List<String>> steps;
        try {
            steps = SchemaScript.updateSteps(newest);
        } catch (InstallException e) {
            throw new InstallException("pg_tle defines credsync " + String.join(", ", facts.tleVersions())
                    + " in database " + facts.database() + ", not " + version + ", and " + e.getMessage() + "."
                    + (facts.installedVersion().isEmpty() ? " As credsync is not created here, remove the old"
                            + " definition with SELECT pgtle.uninstall_extension('credsync') and install again." : ""),
                    e);
        }
        List<InstallAction> actions = new ArrayList<>();
        for (List<String> step : steps) {
            String from = step.get(0);
            String to = step.get(1);
            actions.add(InstallAction.sql("add the update from credsync " + from + " to " + to + " to pg_tle"
                            + " (pgtle.install_update_path)",
                    "added the update from credsync " + from + " to " + to + " to pg_tle (pgtle.install_update_path)",
                    PgTleStatements.installUpdatePath(script, from, to)));
        }
        actions.add(InstallAction.sql("make credsync " + version + " pg_tle's default version (pgtle.set_default_version)",
                "made credsync " + version + " pg_tle's default version (pgtle.set_default_version)",
                PgTleStatements.setDefaultVersion(version)));
        return actions;
    }

    private static void run(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
