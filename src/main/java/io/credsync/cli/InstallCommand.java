package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import io.credsync.connection.PgConnector;
import io.credsync.install.ClusterCopy;
import io.credsync.install.ClusterDatabases;
import io.credsync.install.InstallException;
import io.credsync.install.InstallKind;
import io.credsync.install.Installer;
import io.credsync.install.PgTleStatements;
import io.credsync.install.SchemaScript;
import io.credsync.install.SqlErrors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code credsync install}: installs or upgrades the database side in every database the
 * configuration covers ({@code database.databases}: all, template1 included, by default), the home
 * database first, natively or through pg_tle; copies the home's keys and managed patterns to the
 * others; and optionally grants a consumer role what it needs in each. The logic is
 * {@link Installer}'s; this class reads options and prints. Not thread-safe; one per invocation.
 */
@Command(name = "install", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Installs or upgrades credsync in every database of the cluster (database.databases), the"
                        + " home database (database.name) first, copies its keys and managed patterns to the others,"
                        + " and prints what it did.",
                "Detects the install: the native extension where credsync_passcheck is preloaded, pg_tle where"
                        + " pg_tle is (RDS, Aurora). Runs in one transaction per database; running it again changes nothing.",
                "Connect as a superuser (rds_superuser on RDS and Aurora)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:installed, or nothing to change", "1:failed; nothing was changed (in the database named, when it is not the home one; what was printed before is done)",
                "2:bad usage", "3:the configuration is not valid"})
final class InstallCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "auto", converter = InstallKindConverter.class,
            completionCandidates = InstallKindConverter.class,
            description = "auto (default: detect), native or pgtle.")
    InstallKind kind; // null: auto

    @Option(names = "--consumer-role", paramLabel = "NAME",
            description = "Also grant this existing role what `credsync run` needs: USAGE on schema credsync,"
                    + " SELECT on credsync.outbox, SELECT and INSERT on credsync.delivery, SELECT, INSERT, UPDATE"
                    + " and DELETE on credsync.drift_check, SELECT on credsync.encryption_key,"
                    + " credsync.managed_role and credsync.failed_event, and REPLICATION (rds_replication on RDS).")
    String consumerRole;

    @Option(names = "--dry-run", description = "Print what would change; change nothing.")
    boolean dryRun;

    @Option(names = "--print-pgtle-sql",
            description = "Print the SQL that install runs through pg_tle in a database without credsync (with"
                    + " --from, one where that version is installed), with the grants of --consumer-role if"
                    + " given; what sql/pgtle/build-installer prints, for review or psql. Connects to nothing.")
    boolean printPgTleSql;

    @Option(names = "--from", paramLabel = "VERSION",
            description = "With --print-pgtle-sql: print the update from this installed version instead.")
    String from;

    @Option(names = "--replication-attribute",
            description = "With --print-pgtle-sql and --consumer-role: give the role the REPLICATION attribute, as"
                    + " install does where there is no rds_replication role, instead of granting rds_replication.")
    boolean replicationAttribute;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SchemaScript script = SchemaScript.fromClasspath();
        if (printPgTleSql) {
            return printPgTleSql(script, out);
        }
        if (from != null || replicationAttribute) {
            throw new ParameterException(spec.commandLine(), "--from and --replication-attribute only go with"
                    + " --print-pgtle-sql");
        }
        CredsyncConfig loaded = config.load(err);
        if (loaded == null) {
            return Main.EXIT_CONFIG;
        }
        Installer.Options options = new Installer.Options(Optional.ofNullable(kind), Optional.ofNullable(consumerRole),
                dryRun);
        Installer installer = new Installer(script);
        // Empty while installing into the home database, whose messages stay as they always were.
        String where = "";
        try (Connection home = PgConnector.of(loaded.database()).connect()) {
            installer.run(home, options, line -> print(out, "", line));
            ClusterDatabases.Listing listing = ClusterDatabases.list(home);
            for (String other : ClusterDatabases.others(listing, loaded.database().databases(),
                    loaded.database().name())) {
                where = "database " + other + ": ";
                installer = new Installer(script);
                installOther(loaded, home, other, options, installer, out);
            }
            where = "";
            if (ClusterCopy.publishPatterns(home, dryRun)) {
                print(out, "", (dryRun ? "would copy" : "copied")
                        + " the managed patterns to the cluster-wide list credsync_passcheck reads");
            }
            if (loaded.database().databases().all()) {
                for (String unreachable : listing.unreachable()) {
                    print(out, "", "note: database " + unreachable + " is not covered: " + loaded.database().user()
                            + " may not connect to it (if users can, they change passwords there unrecorded)");
                }
            }
            return 0;
        } catch (InstallException e) {
            err.println("install: " + where + e.getMessage());
        } catch (SQLException e) {
            err.println("install: " + where + SqlErrors.explain(e));
        }
        err.println(installer.committedAlone().isEmpty() ? "install: " + where + "nothing was changed"
                : "install: " + where + "nothing else was changed; committed before the failure: "
                        + String.join(", ", installer.committedAlone()));
        err.flush();
        return 1;
    }

    private int printPgTleSql(SchemaScript script, PrintWriter out) {
        if (dryRun || kind != null) {
            throw new ParameterException(spec.commandLine(), "--print-pgtle-sql connects to nothing: it takes"
                    + " neither --dry-run nor --kind");
        }
        if (from != null && !SchemaScript.RELEASES.subList(0, SchemaScript.RELEASES.size() - 1).contains(from)) {
            throw new ParameterException(spec.commandLine(), "--from must be an earlier release: one of "
                    + String.join(", ", SchemaScript.RELEASES.subList(0, SchemaScript.RELEASES.size() - 1)));
        }
        out.print(PgTleStatements.installerSql(script, new PgTleStatements.Request(Optional.ofNullable(from),
                Optional.ofNullable(consumerRole), replicationAttribute)));
        out.flush();
        return 0;
    }

    /** Installs into another covered database, and copies the home's keys and patterns there. */
    private static void installOther(CredsyncConfig loaded, Connection home, String other, Installer.Options options,
            Installer installer, PrintWriter out) throws SQLException, InstallException {
        String prefix = "database " + other + ": ";
        try (Connection connection = PgConnector.of(loaded.database().withName(other)).connect()) {
            installer.run(connection, options, line -> print(out, prefix, line));
            List<String> copied = ClusterCopy.copy(home, connection, options.dryRun());
            copied.forEach(line -> print(out, prefix, line));
        }
    }

    private static void print(PrintWriter out, String prefix, String line) {
        out.println(prefix + line);
        out.flush();
    }
}
