package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code credsync dismiss}: records that failed or rejected events need no action, through
 * {@code credsync.dismiss(id, reason)}, exactly what a DBA can do in SQL. A dismissed event stops
 * counting in {@code credsync_failed_events} and {@code status}, and {@code replay --all-failed}
 * leaves it alone; the dismissal (who, when, why) stays in {@code credsync.dismissal}. Each
 * dismissal is its own transaction, so one that fails leaves the others done.
 *
 * <p>Not thread-safe; one instance per invocation, as picocli makes them.
 */
@Command(name = "dismiss", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {
            "Records that failed or rejected events need no action (their role was dropped, the change was a"
                    + " mistake corrected since): for each, SELECT credsync.dismiss(id, reason), which keeps who"
                    + " (the login role), when and why in credsync.dismissal. A dismissed event no longer counts"
                    + " in credsync_failed_events or `credsync status`, and `replay --all-failed` skips it.",
            "Prints `dismissed event <id>` for each, or says it was dismissed already (the first dismissal"
                    + " stands). Only a failed or rejected event can be dismissed.",
            "A failure whose role has synced a newer change since needs no dismissal: it stops counting by"
                    + " itself."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every event is dismissed (now or before)",
            "1:at least one could not be dismissed (each is explained), or the database could not be reached",
            "2:bad usage",
            "3:the configuration is not valid"})
final class DismissCommand extends ConfiguredCommand {

    /** As {@code credsync.dismissal.reason} allows. */
    static final int MAX_REASON = 1000;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "Outbox ids of the events to dismiss.")
    List<Long> ids = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
            description = "Why they need no action; recorded with each dismissal.")
    String reason;

    @Override
    void checkArguments() {
        if (reason == null || reason.isBlank() || reason.length() > MAX_REASON) {
            throw new ParameterException(spec.commandLine(), "--reason must say why, in 1 to " + MAX_REASON
                    + " characters");
        }
    }

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        try (Connection connection = CliDatabase.open(loaded.database(), "dismiss", false)) {
            return dismiss(connection, ids.stream().distinct().toList(), loaded, out, err) ? 0 : 1;
        } catch (SQLException e) {
            err.println("credsync dismiss: " + CliDatabase.explain(e, loaded.database()));
            err.flush();
            return 1;
        }
    }

    /** @return whether every one is dismissed */
    private boolean dismiss(Connection connection, List<Long> targets, CredsyncConfig config, PrintWriter out,
            PrintWriter err) throws SQLException {
        boolean allDismissed = true;
        try (PreparedStatement statement = connection.prepareStatement("SELECT credsync.dismiss(?, ?)")) {
            for (int i = 0; i < targets.size(); i++) {
                long id = targets.get(i);
                try {
                    statement.setLong(1, id);
                    statement.setString(2, reason);
                    try (ResultSet row = statement.executeQuery()) {
                        row.next();
                        out.println(row.getBoolean(1) ? "dismissed event " + id
                                : "event " + id + " was dismissed already: its first dismissal stands");
                        out.flush();
                    }
                } catch (SQLException e) {
                    allDismissed = false;
                    err.println("cannot dismiss event " + id + ": " + explain(e, id, config));
                    err.flush();
                    if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                        err.println("not attempted, the connection is gone: " + targets.subList(i + 1, targets.size()));
                        err.flush();
                        break;
                    }
                }
            }
        }
        return allDismissed;
    }

    private static String explain(SQLException e, long id, CredsyncConfig config) {
        String state = e.getSQLState();
        if ("P0002".equals(state)) {
            return "no such event (SQLState P0002: no credsync.outbox row has id " + id
                    + "; list them with `credsync events`)";
        }
        if ("55000".equals(state)) {
            // The function's own message: the event is pending, or neither failed nor rejected.
            return CliDatabase.serverMessage(e) + " (SQLState 55000)";
        }
        if ("42501".equals(state)) {
            // PUBLIC may not call it, and install grants it to nobody: dismissing an alarm is an operator's act.
            String user = config.database().user();
            String role = ReplayCommand.identifier(user);
            return "permission denied (SQLState 42501): " + user + " may not call credsync.dismiss; run dismiss as"
                    + " the extension's owner, or grant it to the operators who answer the failed-events alarm:"
                    + " GRANT USAGE ON SCHEMA credsync TO " + role + "; GRANT EXECUTE ON FUNCTION"
                    + " credsync.dismiss(bigint, text) TO " + role;
        }
        return CliDatabase.explain(e, config.database());
    }
}
