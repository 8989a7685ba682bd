package io.credsync.doctor;

import io.credsync.config.DatabaseConfig;
import io.credsync.connection.PgConnector;
import io.credsync.connection.SqlErrors;
import io.credsync.install.ClusterDatabases;
import io.credsync.release.ReleasedDatabase;
import io.credsync.release.Releases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where each database released with {@code credsync release-database} stands, and what the DBA
 * does next: dropped (done); released but its slot still there, or events still pending there
 * (the consumer delivers them, then drops the slot); released and done with but still there, a
 * managed role's change made there refused ({@code DROP DATABASE}); or released in the home
 * database only, while capture there still records changes that no slot streams (run the release
 * again). Not applicable when nothing is released.
 */
final class ReleasedDatabasesCheck implements Check {

    private static final int SHOWN = 5;

    @Override
    public String name() {
        return "released databases";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        Connection home = context.connection();
        List<ReleasedDatabase> releases;
        try {
            releases = Releases.read(home);
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState()) || "42P01".equals(e.getSQLState())) {
                throw new CheckSkipped("cannot read credsync.released_database (SQLState " + e.getSQLState() + ")");
            }
            throw e;
        }
        if (releases.isEmpty()) {
            return CheckResult.notApplicable("no database is released");
        }
        List<String> done = new ArrayList<>();
        List<String> attention = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        boolean failed = false;
        for (ReleasedDatabase release : releases) {
            Optional<String> name = currentName(home, release.oid());
            if (name.isEmpty()) {
                done.add(release.name() + " (dropped)");
                continue;
            }
            String database = name.get();
            String slot = new ClusterDatabases.Streamed(database, release.oid())
                    .slotName(context.config().replication().slot());
            Releases.SlotState slotState = Releases.slotState(home, slot);
            There there;
            try {
                there = readThere(context.config().database().withName(database));
            } catch (SQLException e) {
                attention.add(database + " (cannot check: " + SqlErrors.explain(e) + ")");
                fixes.add("check that doctor's user may connect to " + database);
                continue;
            }
            if (there.credsync() && !there.recordedThere()) {
                failed = true;
                attention.add(database + " (released in the home database only: capture there still records managed"
                        + " roles' changes, which no slot delivers)");
                fixes.add("run credsync release-database " + database + " again: it records the release there too");
                continue;
            }
            long pending = there.outstanding().pendingEvents();
            long older = there.outstanding().olderSessions();
            if (pending > 0 || slotState != Releases.SlotState.MISSING) {
                attention.add(database + " (releasing: " + pending + " event(s) pending, slot " + slot + " "
                        + switch (slotState) {
                            case ACTIVE -> "streamed by a consumer";
                            case INACTIVE -> "not streamed";
                            case MISSING -> "gone";
                        } + ")");
                fixes.add(slotState == Releases.SlotState.ACTIVE
                        ? "the running consumer delivers what is pending in " + database + " and drops its slot:"
                                + " follow it with credsync release-database " + database + " --wait 5m"
                        : pending > 0
                        ? "start the consumer (credsync run): it delivers what is pending in " + database
                                + " and drops its slot"
                        : older > 0
                        ? "wait for the " + older + " transaction(s) in " + database + " older than the release to"
                                + " end, then run credsync release-database " + database + ", which drops the slot"
                        : "run credsync release-database " + database + ": nothing is pending, it drops the slot");
                continue;
            }
            attention.add(database + " (released and done with: slot gone, nothing pending; it still exists, and a"
                    + " managed role's password change made there is refused)");
            fixes.add("DROP DATABASE " + database + ", which the release was for");
        }
        String detail = attention.isEmpty() ? "" : Listing.firstOf(attention, SHOWN, "; ", "; ");
        if (!done.isEmpty()) {
            detail = (detail.isEmpty() ? "" : detail + "; ") + Listing.firstOf(done, SHOWN, ", ", ", ");
        }
        if (attention.isEmpty()) {
            return CheckResult.ok(detail);
        }
        String fix = Listing.firstOf(fixes, SHOWN, "; ", "; ");
        return failed ? CheckResult.fail(detail, fix) : CheckResult.warn(detail, fix);
    }

    /** What the released database itself holds. */
    private record There(boolean credsync, boolean recordedThere, Releases.Outstanding outstanding) {
    }

    private static There readThere(DatabaseConfig database) throws SQLException {
        try (Connection there = PgConnector.of(database).connect()) {
            try (Statement statement = there.createStatement()) {
                statement.execute("SET default_transaction_read_only = on");
                statement.execute("SET statement_timeout = " + DoctorContext.STATEMENT_TIMEOUT_MS);
            }
            if (!ClusterDatabases.Streamed.hasCredsync(there)) {
                return new There(false, false, Releases.Outstanding.NONE);
            }
            return new There(true, Releases.recordedHere(there), Releases.outstanding(there));
        }
    }

    private static Optional<String> currentName(Connection home, long oid) throws SQLException {
        try (PreparedStatement statement = home.prepareStatement(
                "SELECT d.datname::text FROM pg_catalog.pg_database d WHERE d.oid = ?::bigint::oid")) {
            statement.setLong(1, oid);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }
}
