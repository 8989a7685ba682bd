package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import io.credsync.connection.PgConnector;
import io.credsync.install.ClusterDatabases;
import io.credsync.release.Releases;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code credsync release-database NAME}: releases a covered database before {@code DROP
 * DATABASE}, which its logical slot would refuse. The release is recorded in that database (from
 * then on a managed role's password change made there is refused, so that nothing is captured into
 * an outbox no slot streams) and in the home database; then the running consumer delivers the
 * events still pending there, stops streaming it, drops its slot and never streams it again, while
 * it keeps delivering every other database's. With no consumer streaming it and nothing pending,
 * the command drops the slot itself. It waits for the slot to go, up to {@code --wait}.
 *
 * <p>Not thread-safe; one instance per invocation, as picocli makes them.
 */
@Command(name = "release-database", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {
            "Releases a covered database so that it can be dropped (DROP DATABASE fails while a logical slot"
                    + " exists in it): records the release there, which refuses managed roles' password changes"
                    + " made there from then on, and in the home database, which tells the running consumer to"
                    + " deliver the events pending there, stop streaming the database, drop its slot and not"
                    + " create it again. The other databases are delivered throughout.",
            "With no consumer streaming the database and nothing pending there, the command drops the slot"
                    + " itself. It waits until the slot is gone, up to --wait; run it again to wait more (the"
                    + " release stands). Run it with a superuser's configuration (rds_superuser on RDS)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:released: the slot is gone, DROP DATABASE can run",
            "1:the database could not be released (the message says why) or reached",
            "2:bad usage",
            "3:the configuration is not valid",
            "4:released, but the slot is still there after --wait (events pending, or a consumer still on it)"})
final class ReleaseDatabaseCommand extends ConfiguredCommand {

    static final int EXIT_STILL_WAITING = 4;
    private static final Duration POLL = Duration.ofMillis(500);

    @Parameters(paramLabel = "NAME", description = "The database to release.")
    String name;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "2m",
            converter = StatusCommand.DurationConverter.class,
            description = "How long to wait for the slot to go, such as 30s, 5m or 1h (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        String home = loaded.database().name();
        try (Connection homeConnection = CliDatabase.open(loaded.database(), "release-database", false)) {
            Target target = find(homeConnection, name);
            if (target == null) {
                return fail(err, "there is no database " + name);
            }
            if (name.equals(home)) {
                return fail(err, name + " is the home database (database.name), which holds the keys and patterns"
                        + " of the whole cluster: it cannot be released; to stop credsync, stop the consumer and drop"
                        + " its slots");
            }
            if (target.template()) {
                return fail(err, name + " is a template database, which credsync never streams: nothing to"
                        + " release (ALTER DATABASE " + name + " IS_TEMPLATE false first to drop it)");
            }
            String slot = new ClusterDatabases.Streamed(name, target.oid()).slotName(loaded.replication().slot());
            try (Connection released = PgConnector.of(loaded.database().withName(name)).connect()) {
                if (ClusterDatabases.Streamed.hasCredsync(released)) {
                    Releases.recordInReleased(released, target.oid(), name);
                }
                Releases.recordInHome(homeConnection, target.oid(), name);
                out.println("released database " + name + ": a managed role's password change made there is refused"
                        + " from now on");
                out.flush();
                return awaitSlotGone(homeConnection, released, slot, out, err);
            }
        } catch (SQLException e) {
            err.println("credsync release-database: " + CliDatabase.explain(e, loaded.database()));
            err.flush();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(err, "interrupted while waiting for the slot to go; the release stands");
        }
    }

    private record Target(long oid, boolean template) {
    }

    private static Target find(Connection home, String name) throws SQLException {
        try (PreparedStatement statement = home.prepareStatement(
                "SELECT d.oid::bigint, d.datistemplate FROM pg_catalog.pg_database d WHERE d.datname = ?")) {
            statement.setString(1, name);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? new Target(row.getLong(1), row.getBoolean(2)) : null;
            }
        }
    }

    private int awaitSlotGone(Connection home, Connection released, String slot, PrintWriter out, PrintWriter err)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean hasCredsync = ClusterDatabases.Streamed.hasCredsync(released);
        String said = null;
        while (true) {
            Releases.SlotState state = Releases.slotState(home, slot);
            Releases.Outstanding outstanding = hasCredsync ? Releases.outstanding(released) : Releases.Outstanding.NONE;
            long pending = outstanding.pendingEvents();
            long older = outstanding.olderSessions();
            if (state == Releases.SlotState.MISSING) {
                out.println("slot " + slot + " is gone: DROP DATABASE " + name + " can run now");
                out.flush();
                return 0;
            }
            if (state == Releases.SlotState.INACTIVE && outstanding.none() && Releases.dropSlotIfIdle(home, slot)) {
                out.println("dropped slot " + slot + " (no consumer was streaming it, nothing was pending): DROP"
                        + " DATABASE " + name + " can run now");
                out.flush();
                return 0;
            }
            String now = pending == 0 && older > 0
                    ? "waiting for " + older + " transaction(s) in " + name + " that began before the release to end"
                            + " (one might still change a password there); then slot " + slot + " is dropped"
                    : state == Releases.SlotState.ACTIVE
                    ? "waiting for the consumer to deliver " + pending + " pending event(s) of " + name
                            + " and drop slot " + slot
                    : pending + " event(s) captured in " + name + " are not delivered yet and no consumer streams"
                            + " slot " + slot + ": start the consumer, which delivers them and then drops the slot";
            if (!now.equals(said)) {
                out.println(now);
                out.flush();
                said = now;
            }
            if (System.nanoTime() >= deadline) {
                err.println("credsync release-database: slot " + slot + " is still there after " + wait.toSeconds()
                        + " s; the release stands: run release-database " + name + " again to wait more");
                err.flush();
                return EXIT_STILL_WAITING;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println("credsync release-database: " + message);
        err.flush();
        return 1;
    }
}
