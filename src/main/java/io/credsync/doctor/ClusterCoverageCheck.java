package io.credsync.doctor;

import io.credsync.config.DatabaseConfig;
import io.credsync.connection.PgConnector;
import io.credsync.connection.SqlErrors;
import io.credsync.install.ClusterCopy;
import io.credsync.install.ClusterDatabases;
import io.credsync.install.InstallKind;
import io.credsync.release.Releases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Is every database covered? A password can be changed from a session on any database of the
 * cluster, so each needs credsync's own hook there (native: the extension, the module being
 * global; pg_tle: pg_tle, the extension and its registered adapter), and the home database's keys
 * and managed patterns. With {@code database.databases: all}, template1 must be covered too, or
 * databases created later start without credsync. Fails naming each database that is not. A
 * released database ({@code credsync release-database}) is neither checked nor counted as covered:
 * {@link ReleasedDatabasesCheck} reports it.
 */
final class ClusterCoverageCheck implements Check {

    private static final int SHOWN = 5;

    @Override
    public String name() {
        return "databases covered";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        Optional<InstallKind> kind = context.kind();
        if (kind.isEmpty()) {
            throw new CheckSkipped("neither credsync_passcheck nor pg_tle is preloaded");
        }
        context.requireExtension();
        DatabaseConfig database = context.config().database();
        Connection home = context.connection();
        ClusterDatabases.Listing listing = ClusterDatabases.list(home);
        // A released database is left uncovered on purpose: it is on its way to DROP DATABASE, and the
        // released databases check says where it stands.
        Set<String> released = releasedNames(home);
        List<String> others = ClusterDatabases.others(listing, database.databases(), database.name()).stream()
                .filter(d -> !released.contains(d)).toList();
        List<String> uncovered = new ArrayList<>();
        List<String> disagreeing = new ArrayList<>();
        for (String other : others) {
            try (Connection connection = PgConnector.of(database.withName(other)).connect()) {
                readOnly(connection);
                Optional<String> gap = gap(connection, kind.get());
                if (gap.isPresent()) {
                    uncovered.add(other + " (" + gap.get() + ")");
                    continue;
                }
                List<String> differences = ClusterCopy.differences(home, connection);
                if (!differences.isEmpty()) {
                    disagreeing.add(other + " (" + Listing.firstOf(differences, 2, ", ", ", ") + ")");
                }
            } catch (SQLException e) {
                uncovered.add(other + " (cannot check: " + SqlErrors.explain(e) + ")");
            }
        }
        String fix = "run credsync install with a superuser's configuration (rds_superuser on RDS): it covers every"
                + " database and copies the home database's keys and patterns";
        if (!uncovered.isEmpty()) {
            return CheckResult.fail("not covered, so a managed role's password change there is "
                    + (kind.get() == InstallKind.NATIVE ? "refused" : "refused or, with another passcheck hook,"
                            + " passes unrecorded") + ": " + Listing.firstOf(uncovered, SHOWN, "; ", "; "), fix);
        }
        if (!disagreeing.isEmpty()) {
            return CheckResult.fail("keys or managed patterns differ from the home database " + database.name() + ": "
                    + Listing.firstOf(disagreeing, SHOWN, "; ", "; "), fix);
        }
        int covered = others.size() + 1;
        String detail = covered + " database" + (covered == 1 ? "" : "s") + " ("
                + Listing.firstOf(withHome(others, database.name()), SHOWN, ", ", ", ") + ")"
                + (released.isEmpty() ? "" : "; released, so not counted: "
                        + Listing.firstOf(released.stream().sorted().toList(), SHOWN, ", ", ", "));
        if (database.databases().all() && !listing.unreachable().isEmpty()) {
            return CheckResult.warn(detail + "; not checked, no CONNECT privilege: "
                    + Listing.firstOf(listing.unreachable(), SHOWN, ", ", ", "),
                    "make sure no user who changes passwords can connect to them, or grant CONNECT and run"
                            + " credsync install");
        }
        return CheckResult.ok(detail);
    }

    /** What is missing in a database for credsync's hook to record a change there; empty if nothing. */
    static Optional<String> gap(Connection connection, InstallKind kind) throws SQLException {
        boolean credsync = exists(connection, "SELECT FROM pg_catalog.pg_extension WHERE extname = 'credsync'");
        if (kind == InstallKind.NATIVE) {
            return credsync ? Optional.empty() : Optional.of("no credsync");
        }
        if (!exists(connection, "SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_tle'")) {
            return Optional.of("no pg_tle");
        }
        if (!credsync) {
            return Optional.of("no credsync");
        }
        if (!exists(connection, "SELECT FROM pgtle.feature_info f WHERE f.feature = 'passcheck'"
                + " AND f.schema_name || '.' || f.proname = '" + PgTleFeatureCheck.ADAPTER + "'")) {
            return Optional.of(PgTleFeatureCheck.ADAPTER + " is not registered");
        }
        return Optional.empty();
    }

    /** The released databases that still exist, by name; none where the releases cannot be read. */
    private static Set<String> releasedNames(Connection home) throws SQLException {
        try {
            return Releases.existingReleasedNames(home);
        } catch (SQLException e) {
            // No privilege (a consumer role granted before releases existed) or no table (an older schema):
            // the released databases check says so.
            if ("42501".equals(e.getSQLState()) || "42P01".equals(e.getSQLState())) {
                return Set.of();
            }
            throw e;
        }
    }

    private static List<String> withHome(List<String> others, String home) {
        List<String> all = new ArrayList<>(others);
        all.add(home);
        all.sort(String::compareTo);
        return all;
    }

    private static boolean exists(Connection connection, String query) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT EXISTS (" + query + ")");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getBoolean(1);
        }
    }

    private static void readOnly(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET default_transaction_read_only = on");
        }
    }
}
