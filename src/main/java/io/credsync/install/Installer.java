package io.credsync.install;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Installs or upgrades credsync's database side and, when asked, grants a consumer role what it
 * needs: in one transaction, so that a failure half-way changes nothing (with one exception:
 * {@code CREATE EXTENSION pg_tle} is committed on its own first, see
 * {@link InstallAction#alone()}), and under an advisory lock, so that two installs at once do not
 * race. Idempotent: what is already there is left alone, and a second run reports that nothing
 * changed.
 *
 * <p>Not thread-safe; one per invocation. Uses the connection it is given and leaves it in
 * autocommit mode.
 */
public final class Installer {

    /** credsync needs PostgreSQL 15 (its module uses 15's GUC API; pgoutput's protocol 1). */
    public static final int MIN_SERVER_VERSION_NUM = 150000;

    /**
     * What to do.
     *
     * @param kind the install to make, or empty to detect it (see {@link KindDetector})
     * @param consumerRole the role to grant the consumer's privileges to, if any
     * @param dryRun print the plan and change nothing
     */
    public record Options(Optional<InstallKind> kind, Optional<String> consumerRole, boolean dryRun) {
        public Options {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(consumerRole, "consumerRole");
        }
    }

    private static final String LOCK = PgTleStatements.LOCK;

    private final SchemaScript script;
    private final List<String> committedAlone = new ArrayList<>();

    /** @param script the SQL to install through pg_tle */
    public Installer(SchemaScript script) {
        this.script = Objects.requireNonNull(script, "script");
    }

    /**
     * Does it, then prints one line per action to {@code out}: after the commit, so that nothing
     * printed was rolled back (an action committed on its own is printed as soon as it is).
     *
     * @return the number of changes made (planned, in a dry run)
     * @throws InstallException when it cannot be done here; nothing was changed
     * @throws SQLException when the database refused; nothing was changed
     */
    public int run(Connection connection, Options options, Consumer<String> out)
            throws SQLException, InstallException {
        connection.setAutoCommit(false);
        boolean committed = false;
        try {
            if (!options.dryRun()) {
                execute(connection, LOCK);
            }
            List<String> lines = new ArrayList<>();
            int changes = install(connection, options, lines, out);
            if (options.dryRun()) {
                connection.rollback();
                lines.add(changes == 0 ? "dry run: nothing to change"
                        : "dry run: " + changes + " change" + (changes == 1 ? "" : "s") + " planned, none made");
            } else {
                connection.commit();
                committed = true;
                lines.add(changes == 0 ? "nothing changed"
                        : "done: " + changes + " change" + (changes == 1 ? "" : "s") + " committed");
            }
            lines.forEach(out);
            return changes;
        } finally {
            if (!committed) {
                rollbackQuietly(connection);
            }
            restoreAutoCommit(connection);
        }
    }

    /**
     * @param lines where to add what to print once committed
     * @param out where to print what was committed on its own, at once
     */
    private int install(Connection connection, Options options, List<String> lines, Consumer<String> out)
            throws SQLException, InstallException {
        ServerFacts facts = ServerProbe.read(connection);
        if (facts.serverVersionNum() < MIN_SERVER_VERSION_NUM) {
            throw new InstallException("credsync needs PostgreSQL 15 or newer; this server is "
                    + facts.serverVersionNum());
        }
        InstallKind kind = KindDetector.decide(facts, options.kind());
        ExtensionPlanner.Plan extension = ExtensionPlanner.plan(facts, kind, script);
        List<String> notes = new ArrayList<>(extension.notes());
        if (!facts.preloaded(kind)) {
            notes.add(kind.module() + " is not in shared_preload_libraries: no password change is captured until"
                    + " it is added and PostgreSQL restarted");
        }

        if (options.consumerRole().isPresent()) {
            // Planned once before anything runs, only to fail early (no such role, no right to give
            // REPLICATION) rather than after pg_tle was committed on its own.
            ConsumerGrants.plan(connection, facts, kind, options.consumerRole().get());
        }
        int changes = apply(connection, extension.actions(), options.dryRun(), lines, out);
        if (extension.actions().isEmpty()) {
            lines.add(extension.state() + ": already installed");
        }
        if (options.consumerRole().isPresent()) {
            String role = options.consumerRole().get();
            // Planned after the extension's actions ran, so that the privileges are read off the
            // objects they created; in a dry run those may not exist yet, and what their install
            // would give PUBLIC counts as held, so that the plan lists exactly the grants a real
            // run makes.
            ConsumerGrants.Plan grants = ConsumerGrants.plan(connection, facts, kind, role);
            notes.addAll(grants.notes());
            int granted = apply(connection, grants.actions(), options.dryRun(), lines, out);
            if (granted == 0) {
                lines.add("role " + role + " already has every privilege the consumer needs");
            }
            changes += granted;
        }
        notes.forEach(note -> lines.add("note: " + note));
        return changes;
    }

    /**
     * What was committed on its own before a failure (see {@link InstallAction#alone()}); empty
     * when a failed run changed nothing at all.
     */
    public List<String> committedAlone() {
        return List.copyOf(committedAlone);
    }

    private int apply(Connection connection, List<InstallAction> actions, boolean dryRun, List<String> lines,
            Consumer<String> out) throws SQLException {
        for (InstallAction action : actions) {
            if (dryRun) {
                lines.add(action.planned());
                continue;
            }
            action.statement().run(connection);
            if (!action.commitAlone()) {
                lines.add(action.done());
                continue;
            }
            connection.commit();
            committedAlone.add(action.done());
            lines.forEach(out);
            lines.clear();
            out.accept(action.done());
            execute(connection, LOCK); // the commit released it
        }
        return actions.size();
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            // Only on a broken connection, which the caller closes; the first failure is the one to report.
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is broken; the server rolls the transaction back when it notices.
        }
    }
}
