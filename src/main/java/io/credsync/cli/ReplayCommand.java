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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

/**
 * {@code credsync replay}: queues events for delivery again through {@code credsync.replay(id)},
 * exactly what a DBA can do in SQL. Each replay is its own transaction, so one that fails
 * leaves the others done, and the output says which is which.
 *
 * <p>Not thread-safe; one instance per invocation, as picocli makes them.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {
            "Queues outbox events for delivery again: for each, SELECT credsync.replay(id) adds a copy of the"
                    + " event (same event_id and envelope, replay_of pointing at the original), which the"
                    + " consumer delivers like any other. A replayed change older than the role's newest"
                    + " synced one is recorded as superseded: a replay never overwrites a newer password.",
            "Prints `replayed event <id> as <new id>` for each.",
            "--all-failed replays every change whose latest attempt failed or was rejected, once (not"
                    + " again while its replay is pending)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every event was replayed (or --all-failed found none)",
            "1:at least one could not be replayed (each is explained), or the database could not be reached",
            "2:bad usage",
            "3:the configuration is not valid"})
final class ReplayCommand extends ConfiguredCommand {

    @Parameters(paramLabel = "ID", arity = "0..*", description = "Outbox ids of the events to replay.")
    List<Long> ids = new ArrayList<>();

    @Option(names = "--all-failed", description = "Replay every failed or rejected change not replayed since.")
    boolean allFailed;

    @Override
    void checkArguments() {
        if (allFailed == !ids.isEmpty()) {
            throw new ParameterException(spec.commandLine(), allFailed
                    ? "give either event ids or --all-failed, not both"
                    : "give the ids of the events to replay, or --all-failed");
        }
    }

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        try (Connection connection = CliDatabase.open(loaded.database(), "replay", false)) {
            List<Long> targets = allFailed ? ReplayTargets.failed(connection) : ids.stream().distinct().toList();
            if (targets.isEmpty()) {
                out.println("no failed or rejected events to replay");
                out.flush();
                return 0;
            }
            return replay(connection, targets, loaded, out, err) ? 0 : 1;
        } catch (SQLException e) {
            err.println("credsync replay: " + CliDatabase.explain(e, loaded.database()));
            err.flush();
            return 1;
        }
    }

    /** @return whether every one was replayed */
    private static boolean replay(Connection connection, List<Long> targets, CredsyncConfig config, PrintWriter out,
            PrintWriter err) {
        boolean allReplayed = true;
        try (PreparedStatement statement = connection.prepareStatement("SELECT credsync.replay(?)")) {
            for (int i = 0; i < targets.size(); i++) {
                long id = targets.get(i);
                try {
                    statement.setLong(1, id);
                    try (ResultSet row = statement.executeQuery()) {
                        row.next();
                        out.println("replayed event " + id + " as " + row.getLong(1));
                        out.flush();
                    }
                } catch (SQLException e) {
                    allReplayed = false;
                    err.println("cannot replay event " + id + ": " + explain(e, id, config));
                    err.flush();
                    if (isConnectionGone(e)) {
                        notAttempted(targets.subList(i + 1, targets.size()), err);
                        break;
                    }
                }
            }
        } catch (SQLException e) {
            err.println("credsync replay: " + CliDatabase.explain(e, config.database()));
            err.flush();
            return false;
        }
        return allReplayed;
    }

    private static String explain(SQLException e, long id, CredsyncConfig config) {
        if ("P0002".equals(e.getSQLState())) {
            return "no such event (SQLState P0002: no credsync.outbox row has id " + id
                    + "; list them with `credsync events`)";
        }
        if ("42501".equals(e.getSQLState())) {
            // PUBLIC may not call it, and `credsync install` grants it to nobody: replay is a DBA's act.
            String user = config.database().user();
            String role = identifier(user);
            return "permission denied (SQLState 42501): " + user + " may not call credsync.replay; run replay as"
                    + " the extension's owner (CREDSYNC_DATABASE_USER=... with its password), or"
                    + " GRANT USAGE ON SCHEMA credsync TO " + role + "; GRANT EXECUTE ON FUNCTION"
                    + " credsync.replay(bigint) TO " + role;
        }
        return CliDatabase.explain(e, config.database());
    }

    /** {@code name} as SQL would need it written: quoted unless it is a plain lower-case name. */
    static String identifier(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Class 08, or a connection PgJDBC has marked closed: the rest cannot succeed either. */
    private static boolean isConnectionGone(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08");
    }

    private static void notAttempted(List<Long> rest, PrintWriter err) {
        if (!rest.isEmpty()) {
            err.println("not attempted, the connection is gone: " + rest);
            err.flush();
        }
    }
}
