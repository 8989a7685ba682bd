package io.credsync.replication;

import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns pgoutput Inserts into {@code credsync.outbox} into {@link OutboxEvent}s.
 *
 * <p>Remembers each {@link PgOutputMessage.Relation} the server sends (it sends one before the
 * first row of each table on every connection, and again when the table changes). The outbox
 * is recognised by namespace {@code credsync} and name {@code outbox}, and its columns by name,
 * so their order does not matter and added columns are ignored. Rows of other tables map to
 * nothing.
 *
 * <p>Values arrive in text form: the output function of each type, under the session's
 * {@code DateStyle}, which PgJDBC sets to ISO. A {@code timestamptz} therefore looks like
 * {@code 2026-11-28 10:58:43.21581+00}.
 *
 * <p>Pure (no I/O) and <b>not thread-safe</b>: one mapper per replication connection, used by
 * its thread only; relation ids are only meaningful within one connection.
 */
public final class OutboxRowMapper {

    public static final String SCHEMA = "credsync";
    public static final String TABLE = "outbox";

    /** The columns an event needs, by name; {@link OutboxColumns} holds their positions. */
    private static final List<String> COLUMNS =
            List.of("id", "event_id", "created_at", "role_name", "kid", "envelope", "replay_of");

    /** ISO DateStyle: 2026-11-28 10:58:43.21581+00, +05:30, or +00:53:28 for old local times. */
    private static final Pattern ISO_TIMESTAMPTZ = Pattern.compile(
            "(\\d{4,})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?"
                    + "([+-])(\\d{2})(?::(\\d{2}))?(?::(\\d{2}))?");

    private static final OutboxColumns NOT_OUTBOX = new OutboxColumns(new int[0], 0);

    /** Relation id to the outbox's column positions; {@link #NOT_OUTBOX} for other tables. */
    private final Map<Long, OutboxColumns> relations = new HashMap<>();

    /** Remembers {@code relation}, replacing what an earlier message said about the same id. */
    public void relation(PgOutputMessage.Relation relation) {
        Objects.requireNonNull(relation, "relation");
        if (!SCHEMA.equals(relation.namespace()) || !TABLE.equals(relation.name())) {
            relations.put(relation.relationId(), NOT_OUTBOX);
            return;
        }
        int[] positions = new int[COLUMNS.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = -1;
            List<PgOutputMessage.Column> columns = relation.columns();
            for (int c = 0; c < columns.size(); c++) {
                if (columns.get(c).name().equals(COLUMNS.get(i))) {
                    positions[i] = c;
                    break;
                }
            }
        }
        relations.put(relation.relationId(), new OutboxColumns(positions, relation.columns().size()));
    }

    /** Whether {@code relationId} was last described as {@code credsync.outbox}. */
    public boolean isOutbox(long relationId) {
        OutboxColumns columns = relations.get(relationId);
        return columns != null && columns != NOT_OUTBOX;
    }

    /**
     * The event an Insert describes.
     *
     * @return the event, or empty if the row belongs to another table
     * @throws OutboxMappingException if no Relation message described the row's table, or the
     *     row lacks a column, has a null in a required one, or a value of the wrong form; the
     *     message names the column
     */
    public Optional<OutboxEvent> map(PgOutputMessage.Insert insert) {
        Objects.requireNonNull(insert, "insert");
        OutboxColumns columns = relations.get(insert.relationId());
        if (columns == null) {
            throw new OutboxMappingException("Insert into relation " + insert.relationId()
                    + " arrived before any Relation message describing it");
        }
        if (columns == NOT_OUTBOX) {
            return Optional.empty();
        }
        TupleData row = insert.newTuple();
        if (row.size() != columns.count()) {
            throw new OutboxMappingException("a row of " + SCHEMA + "." + TABLE + " has " + row.size()
                    + " columns, its Relation message " + columns.count());
        }
        Row values = new Row(row, columns);
        long id = values.requiredLong("id");
        EventId eventId = values.required("event_id", EventId::parse);
        Instant createdAt = values.required("created_at", OutboxRowMapper::parseTimestamptz);
        String roleName = values.requiredText("role_name");
        String kid = values.requiredText("kid");
        String envelope = values.requiredText("envelope");
        String replayOfText = values.optional("replay_of");
        Long replayOf = replayOfText == null ? null : values.parseLong("replay_of", replayOfText);
        try {
            return Optional.of(new OutboxEvent(id, eventId, roleName, kid, envelope, replayOf, createdAt));
        } catch (IllegalArgumentException e) {
            throw new OutboxMappingException("a row of " + SCHEMA + "." + TABLE + " is inconsistent: "
                    + e.getMessage(), e);
        }
    }

    /** Forgets every relation; for a new connection (or use a new mapper). */
    public void reset() {
        relations.clear();
    }

    /**
     * Parses PostgreSQL's ISO text form of a {@code timestamptz}, such as
     * {@code 2026-11-28 10:58:43.21581+00} or {@code 2026-11-28 16:28:43+05:30}.
     *
     * @throws DateTimeException if {@code text} is not in that form (another DateStyle,
     *     {@code infinity}, a BC date) or names no valid instant
     */
    static Instant parseTimestamptz(String text) {
        Matcher m = ISO_TIMESTAMPTZ.matcher(text);
        if (!m.matches()) {
            throw new DateTimeException("not a timestamptz in ISO DateStyle (like 2026-11-28 10:58:43.21581+00): "
                    + text);
        }
        String fraction = m.group(7) == null ? "" : m.group(7);
        int nanos = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000000").substring(0, 9));
        LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)), nanos);
        int sign = m.group(8).equals("-") ? -1 : 1;
        ZoneOffset offset = ZoneOffset.ofHoursMinutesSeconds(sign * Integer.parseInt(m.group(9)),
                sign * parseOrZero(m.group(10)), sign * parseOrZero(m.group(11)));
        return local.toInstant(offset);
    }

    private static int parseOrZero(String digits) {
        return digits == null ? 0 : Integer.parseInt(digits);
    }

    /** Positions of {@link #COLUMNS} in the relation (-1 when absent) and its column count. */
    private record OutboxColumns(int[] positions, int count) {
        int position(String column) {
            return positions[COLUMNS.indexOf(column)];
        }
    }

    /** Reads named columns of one outbox row, with errors that name the column. */
    private record Row(TupleData row, OutboxColumns columns) {

        interface Parser<T> {
            T parse(String text);
        }

        /** The text of a column, null for SQL NULL; fails if the relation lacks the column. */
        String optional(String column) {
            int position = columns.position(column);
            if (position < 0) {
                throw new OutboxMappingException(SCHEMA + "." + TABLE + " as published has no column " + column
                        + "; is the credsync extension up to date?");
            }
            TupleData.Kind kind = row.kind(position);
            if (kind != TupleData.Kind.TEXT && kind != TupleData.Kind.NULL) {
                throw new OutboxMappingException("column " + column + " of " + SCHEMA + "." + TABLE
                        + " arrived as " + kind + ", not as text");
            }
            return row.text(position);
        }

        /** The text of a column that must not be null; the value never appears in an error. */
        String requiredText(String column) {
            String text = optional(column);
            if (text == null) {
                throw new OutboxMappingException("column " + column + " of " + SCHEMA + "." + TABLE + " is null");
            }
            return text;
        }

        <T> T required(String column, Parser<T> parser) {
            String text = requiredText(column);
            try {
                return parser.parse(text);
            } catch (RuntimeException e) {
                // Only for columns that hold no secret: the value may appear in the message.
                throw new OutboxMappingException("column " + column + " of " + SCHEMA + "." + TABLE
                        + " has an unreadable value: " + e.getMessage(), e);
            }
        }

        long requiredLong(String column) {
            return parseLong(column, requiredText(column));
        }

        long parseLong(String column, String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new OutboxMappingException("column " + column + " of " + SCHEMA + "." + TABLE
                        + " is not a bigint: " + text, e);
            }
        }
    }
}
