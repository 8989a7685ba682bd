package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.PgOutputMessage.Column;
import io.credsync.replication.PgOutputMessage.Insert;
import io.credsync.replication.PgOutputMessage.Relation;
import io.credsync.replication.PgOutputMessage.ReplicaIdentity;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxRowMapperTest {

    private static final long OUTBOX = 16_384;
    private static final String EVENT_ID = "5b1f0c6e-8a55-4d6f-9a7e-3c2b1d0e9f8a";
    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/k1";
    private static final String ENVELOPE = "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.secret-key.iv.secret-ciphertext.tag";

    private final OutboxRowMapper mapper = new OutboxRowMapper();

    /** The outbox's columns in table order, with the values of one row. */
    private static Map<String, String> row() {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("id", "42");
        row.put("event_id", EVENT_ID);
        row.put("created_at", "2026-11-28 10:58:43.21581+00");
        row.put("role_name", "app_user");
        row.put("kid", KID);
        row.put("envelope", ENVELOPE);
        row.put("replay_of", null);
        return row;
    }

    private static Relation relation(long id, String namespace, String name, List<String> columns) {
        List<Column> described = new ArrayList<>();
        for (String column : columns) {
            described.add(new Column(column.equals("id") ? 1 : 0, column, 25, -1));
        }
        return new Relation(id, namespace, name, ReplicaIdentity.DEFAULT, described);
    }

    private static Relation outbox(Map<String, String> row) {
        return relation(OUTBOX, "credsync", "outbox", List.copyOf(row.keySet()));
    }

    private static Insert insert(long relationId, Map<String, String> row) {
        TupleData.Builder tuple = TupleData.builder();
        row.values().forEach(value -> {
            if (value == null) {
                tuple.nullValue();
            } else {
                tuple.text(value);
            }
        });
        return new Insert(relationId, tuple.build());
    }

    private OutboxEvent map(Map<String, String> row) {
        mapper.relation(outbox(row));
        return mapper.map(insert(OUTBOX, row)).orElseThrow();
    }

    @Test
    void mapsAnInsertIntoTheOutboxToAnEvent() {
        OutboxEvent event = map(row());

        assertThat(event.id()).isEqualTo(42);
        assertThat(event.eventId()).isEqualTo(EventId.parse(EVENT_ID));
        assertThat(event.createdAt()).isEqualTo(Instant.parse("2026-11-28T10:58:43.215810Z"));
        assertThat(event.roleName()).isEqualTo("app_user");
        assertThat(event.kid()).isEqualTo(KID);
        assertThat(event.envelope()).isEqualTo(ENVELOPE);
        assertThat(event.replayOf()).as("an original event").isNull();
        assertThat(mapper.isOutbox(OUTBOX)).isTrue();
    }

    @Test
    void mapsTheOriginalOfAReplay() {
        Map<String, String> row = row();
        row.put("replay_of", "7");

        assertThat(map(row).replayOf()).isEqualTo(7L);
    }

    @Test
    void findsColumnsByNameWhateverTheirOrderAndIgnoresColumnsItDoesNotKnow() {
        Map<String, String> shuffled = new LinkedHashMap<>();
        shuffled.put("note", "added by a later version");
        List<String> names = new ArrayList<>(row().keySet());
        java.util.Collections.reverse(names);
        for (String name : names) {
            shuffled.put(name, row().get(name));
        }

        OutboxEvent event = map(shuffled);

        assertThat(event.id()).isEqualTo(42);
        assertThat(event.roleName()).isEqualTo("app_user");
        assertThat(event.envelope()).isEqualTo(ENVELOPE);
    }

    @Test
    void ignoresRowsOfOtherTables() {
        mapper.relation(relation(1, "public", "outbox", List.copyOf(row().keySet())));
        mapper.relation(relation(2, "credsync", "delivery", List.of("outbox_id", "status")));

        assertThat(mapper.map(insert(1, row()))).as("same name, other schema").isEmpty();
        assertThat(mapper.map(insert(2, Map.of("outbox_id", "1")))).isEmpty();
        assertThat(mapper.isOutbox(1)).isFalse();
    }

    @Test
    void aNewRelationMessageForTheSameTableReplacesTheOldOne() {
        Map<String, String> row = row();
        mapper.relation(outbox(row));
        Map<String, String> reordered = new LinkedHashMap<>();
        reordered.put("envelope", ENVELOPE);
        row.forEach((name, value) -> reordered.putIfAbsent(name, value));

        mapper.relation(outbox(reordered));

        assertThat(mapper.map(insert(OUTBOX, reordered)).orElseThrow().envelope()).isEqualTo(ENVELOPE);
    }

    @Test
    void anInsertBeforeItsRelationIsAnError() {
        assertThatThrownBy(() -> mapper.map(insert(OUTBOX, row())))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("before any Relation message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "event_id", "created_at", "role_name", "kid", "envelope", "replay_of"})
    void aMissingColumnIsAnErrorNamingIt(String column) {
        Map<String, String> row = row();
        row.remove(column);

        assertThatThrownBy(() -> map(row))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("no column " + column);
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "event_id", "created_at", "role_name", "kid", "envelope"})
    void aNullInARequiredColumnIsAnErrorNamingIt(String column) {
        Map<String, String> row = row();
        row.put(column, null);

        assertThatThrownBy(() -> map(row))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("column " + column + " ")
                .hasMessageContaining("null");
    }

    @Test
    void anUnreadableValueIsAnErrorNamingTheColumn() {
        Map<String, String> row = row();
        row.put("event_id", "not-a-uuid");

        assertThatThrownBy(() -> map(row))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("column event_id");
    }

    @Test
    void anEnvelopeInBinaryFormIsAnErrorThatDoesNotShowIt() {
        Map<String, String> row = row();
        mapper.relation(outbox(row));
        TupleData.Builder tuple = TupleData.builder();
        row.forEach((name, value) -> {
            if (name.equals("envelope")) {
                tuple.binary(ENVELOPE.getBytes(StandardCharsets.UTF_8));
            } else if (value == null) {
                tuple.nullValue();
            } else {
                tuple.text(value);
            }
        });

        assertThatThrownBy(() -> mapper.map(new Insert(OUTBOX, tuple.build())))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("column envelope")
                .hasMessageNotContaining("secret");
    }

    @Test
    void aRowWithMoreOrFewerColumnsThanItsRelationIsAnError() {
        Map<String, String> row = row();
        mapper.relation(outbox(row));
        row.remove("replay_of");

        assertThatThrownBy(() -> mapper.map(insert(OUTBOX, row)))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("has 6 columns, its Relation message 7");
    }

    @Test
    void aReplayThatDoesNotFollowItsOriginalIsAnError() {
        Map<String, String> row = row();
        row.put("replay_of", "42");

        assertThatThrownBy(() -> map(row))
                .isInstanceOf(OutboxMappingException.class)
                .hasMessageContaining("inconsistent");
    }

    @Test
    void resetForgetsRelations() {
        mapper.relation(outbox(row()));
        mapper.reset();

        assertThat(mapper.isOutbox(OUTBOX)).isFalse();
        assertThatThrownBy(() -> mapper.map(insert(OUTBOX, row()))).isInstanceOf(OutboxMappingException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-28 10:58:43.21581+00    | 2026-11-28T10:58:43.215810Z",
        "2026-11-28 10:58:43+00          | 2026-11-28T10:58:43Z",
        "2026-11-28 10:58:43.000001+00   | 2026-11-28T10:58:43.000001Z",
        "2026-11-28 10:58:43.5-05        | 2026-11-28T15:58:43.500Z",
        "2026-11-28 16:28:43.123456+05:30 | 2026-11-28T10:58:43.123456Z",
        "2026-11-28 07:28:43-03:30       | 2026-11-28T10:58:43Z",
        "1890-01-01 00:53:28+00:53:28    | 1890-01-01T00:00:00Z",
        "2000-01-01 00:00:00+00          | 2000-01-01T00:00:00Z",
        "12026-11-28 10:58:43+00         | +12026-11-28T10:58:43Z",
    })
    void parsesTimestampsInIsoDateStyle(String text, String expected) {
        assertThat(OutboxRowMapper.parseTimestamptz(text.strip())).isEqualTo(Instant.parse(expected.strip()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "infinity",
        "-infinity",
        "2026-11-28 10:58:43+00 BC",
        "Sat Nov 28 10:58:43.21581 2026 UTC",
        "2026-11-28T10:58:43Z",
        "2026-11-28 10:58:43.1234567+00",
        "2026-11-28 10:58:43",
        "2026-02-30 10:58:43+00",
    })
    void rejectsTimestampsInAnyOtherForm(String text) {
        assertThatThrownBy(() -> OutboxRowMapper.parseTimestamptz(text)).isInstanceOf(DateTimeException.class);
    }
}
