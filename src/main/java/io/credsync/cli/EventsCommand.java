package io.credsync.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.config.CredsyncConfig;
import io.credsync.delivery.DeliveryStatus;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code credsync events}: outbox events with their delivery outcome, newest first. Reads only,
 * and never the envelope.
 *
 * <p>Not thread-safe; one instance per invocation, as picocli makes them.
 */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {
            "Lists outbox events, newest first, with what became of each: id, created_at, role, status"
                    + " (pending until the consumer records an outcome; then synced, superseded, ignored,"
                    + " failed or rejected), attempts, secret version, replay_of and reason.",
            "A failed or rejected event that needs no action any more says why after its status:"
                    + " (dismissed), with who dismissed it, when and why; (synced since), its role has synced"
                    + " this change or a newer one; (replayed), a later attempt counts instead.",
            "Never shows the encrypted envelope. Replay failed events with `credsync replay`, dismiss them"
                    + " with `credsync dismiss`."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:listed (possibly nothing)",
            "1:the database could not be read",
            "2:bad usage",
            "3:the configuration is not valid"})
final class EventsCommand extends ConfiguredCommand {

    /** The most rows one listing may ask for: more is a job for SQL, not for a terminal. */
    static final int MAX_LIMIT = 10_000;

    @Option(names = "--status", paramLabel = "STATUS", converter = StatusConverter.class,
            description = "Only events with this status: pending, synced, superseded, ignored, failed or"
                    + " rejected. Repeat for several.")
    List<String> statuses = new ArrayList<>();

    @Option(names = "--role", paramLabel = "ROLE", description = "Only events of this role (its exact name).")
    String role;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "At most this many events, 1 to " + MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print one JSON object, {\"events\": [...]}, instead of a table.")
    boolean json;

    @Override
    void checkArguments() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ParameterException(spec.commandLine(),
                    "--limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        List<EventsRow> events;
        try (Connection connection = CliDatabase.open(loaded.database(), "events", true)) {
            events = EventsRow.read(connection, statuses.stream().distinct().toList(), role, limit);
        } catch (SQLException e) {
            err.println("credsync events: " + CliDatabase.explain(e, loaded.database()));
            err.flush();
            return 1;
        }
        if (json) {
            OutputJson.print(out, json(events));
        } else {
            text(out, events);
        }
        return 0;
    }

    private static void text(PrintWriter out, List<EventsRow> events) {
        if (events.isEmpty()) {
            out.println("no events");
            out.flush();
            return;
        }
        OutputTable table = new OutputTable("ID", "CREATED", "ROLE", "STATUS", "ATTEMPTS", "SECRET VERSION",
                "REPLAY OF", "REASON");
        for (EventsRow e : events) {
            table.row(Long.toString(e.id()), OutputText.time(e.createdAt()), e.role(), status(e),
                    e.attempts() == null ? "" : e.attempts().toString(), e.secretVersion(),
                    e.replayOf() == null ? "" : e.replayOf().toString(), reason(e));
        }
        table.print(out, "");
        out.flush();
    }

    private static final List<String> FAILURES = List.of(DeliveryStatus.FAILED.sqlValue(),
            DeliveryStatus.REJECTED.sqlValue());

    private static String status(EventsRow e) {
        if (e.resolvedBy() == null) {
            return e.status();
        }
        return e.status() + " (" + ("synced".equals(e.resolvedBy()) ? "synced since" : e.resolvedBy()) + ")";
    }

    private static String reason(EventsRow e) {
        if (e.dismissedBy() == null) {
            return e.reason();
        }
        return "dismissed by " + e.dismissedBy() + " at " + OutputText.time(e.dismissedAt()) + ": "
                + e.dismissalReason() + (e.reason() == null ? "" : "; was: " + e.reason());
    }

    private static ObjectNode json(List<EventsRow> events) {
        ObjectNode root = OutputJson.object();
        ArrayNode list = root.putArray("events");
        for (EventsRow e : events) {
            ObjectNode row = list.addObject();
            row.put("id", e.id());
            row.put("event_id", e.eventId());
            OutputJson.put(row, "created_at", e.createdAt());
            row.put("role", e.role());
            row.put("status", e.status());
            row.put("attempts", e.attempts());
            row.put("reason", e.reason());
            row.put("secret_version", e.secretVersion());
            row.put("replay_of", e.replayOf());
            OutputJson.put(row, "delivered_at", e.deliveredAt());
            if (FAILURES.contains(e.status())) {
                row.put("needs_action", e.resolvedBy() == null);
                row.put("resolved_by", e.resolvedBy());
            }
            if (e.dismissedBy() != null) {
                ObjectNode dismissal = row.putObject("dismissal");
                dismissal.put("by", e.dismissedBy());
                OutputJson.put(dismissal, "at", e.dismissedAt());
                dismissal.put("reason", e.dismissalReason());
            }
        }
        return root;
    }

    /** The statuses a delivery row may hold, and {@code pending}; case-insensitive. */
    static final class StatusConverter implements ITypeConverter<String> {
        static final List<String> VALUES = Stream.concat(Stream.of(EventsRow.PENDING),
                Arrays.stream(DeliveryStatus.values()).map(DeliveryStatus::sqlValue)).toList();

        @Override
        public String convert(String value) {
            String status = value.strip().toLowerCase(Locale.ROOT);
            if (!VALUES.contains(status)) {
                throw new TypeConversionException("'" + value + "' is not one of " + String.join(", ", VALUES));
            }
            return status;
        }
    }
}
