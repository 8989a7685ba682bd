package io.credsync.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.config.CredsyncConfig;
import io.credsync.connection.PgConnector;
import io.credsync.install.ClusterDatabases;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code credsync status}: the slot, the backlog and the roles, with a warning (and exit code 4)
 * for anything an operator must act on; for the home database, then for each other covered
 * database with credsync (its own outbox and slot). Reads only; safe to run at any time, from cron or a
 * monitoring check.
 *
 * <p>Not thread-safe; one instance per invocation, as picocli makes them.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {
            "Shows the replication slot (active, held by whom, wal_status, retained WAL, confirmed lag), the"
                    + " pending events and the age of the oldest, failed and rejected events that still need action"
                    + " (not dismissed, not replayed, and no newer change of their role synced since), and when each"
                    + " managed role was last synced: for the home database, then for each other covered database"
                    + " with credsync, which has an outbox and a slot of its own.",
            "Prints a WARNING, with what to do, for a missing, inactive or invalidated slot (an abandoned"
                    + " slot keeps WAL until the disk fills), for failed or rejected events that need action, and for events"
                    + " pending longer than --max-pending-age."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:everything is fine",
            "1:the database could not be read",
            "2:bad usage",
            "3:the configuration is not valid",
            "4:something needs attention (a WARNING is printed; in --json, \"status\": \"attention\")"})
final class StatusCommand extends ConfiguredCommand {

    /** Exit code when the report has warnings. */
    static final int EXIT_ATTENTION = 4;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--max-pending-age", paramLabel = "DURATION", defaultValue = "5m",
            converter = DurationConverter.class,
            description = "Warn when the oldest pending event is older than this, such as 30s, 5m or 1h"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration maxPendingAge;

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        List<StatusReport> reports = new ArrayList<>();
        try (Connection connection = CliDatabase.open(loaded.database(), "status", true)) {
            reports.add(StatusReport.read(connection, loaded.replication().slot(), Clock.systemUTC()));
            // Each other covered database with credsync has an outbox and a slot of its own.
            for (ClusterDatabases.Streamed other : ClusterDatabases.streamedOthers(connection,
                    loaded.database().databases(), loaded.database().name())) {
                try (Connection there = PgConnector.of(loaded.database().withName(other.name())).connect()) {
                    if (ClusterDatabases.Streamed.hasCredsync(there)) {
                        reports.add(StatusReport.read(there, other.slotName(loaded.replication().slot()),
                                Clock.systemUTC()));
                    }
                }
            }
        } catch (SQLException e) {
            err.println("credsync status: " + CliDatabase.explain(e, loaded.database()));
            err.flush();
            return 1;
        }
        boolean attention = false;
        ArrayNode others = null;
        ObjectNode root = null;
        for (StatusReport report : reports) {
            List<StatusWarning> warnings = StatusWarning.of(report, maxPendingAge, runCommand());
            attention |= !warnings.isEmpty();
            if (!json) {
                if (report != reports.get(0)) {
                    out.println();
                }
                StatusText.print(out, report, warnings);
            } else if (root == null) {
                root = StatusJson.of(report, warnings);
            } else {
                if (others == null) {
                    others = root.putArray("other_databases");
                }
                others.add(StatusJson.of(report, warnings));
            }
        }
        if (json) {
            OutputJson.print(out, root);
        }
        return attention ? EXIT_ATTENTION : 0;
    }

    /** How to start the consumer with the configuration this command used. */
    private String runCommand() {
        return "credsync run" + (config.file == null ? "" : " --config " + OutputText.safe(config.file.toString()));
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, as in the configuration file. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = SHORT.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration like 30s, 5m or 1h");
            }
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
    }
}
