package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.PgOutputMessage.Begin;
import io.credsync.replication.PgOutputMessage.Column;
import io.credsync.replication.PgOutputMessage.Commit;
import io.credsync.replication.PgOutputMessage.Insert;
import io.credsync.replication.PgOutputMessage.Relation;
import io.credsync.replication.PgOutputMessage.ReplicaIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {

    private static final long OUTBOX = 16_384;
    private static final long OTHER = 16_400;
    private static final Instant COMMIT_TIME = Instant.parse("2026-11-28T10:58:43.215810Z");
    private static final List<String> COLUMNS =
            List.of("id", "event_id", "created_at", "role_name", "kid", "envelope", "replay_of");

    private final BatchAssembler assembler = new BatchAssembler();

    private static Relation relation(long id, String namespace, String name, List<String> columns) {
        return new Relation(id, namespace, name, ReplicaIdentity.DEFAULT,
                columns.stream().map(column -> new Column(0, column, 25, -1)).toList());
    }

    private static Insert outboxRow(long id, String role) {
        TupleData row = TupleData.builder()
                .text(Long.toString(id))
                .text(UUID.randomUUID().toString())
                .text("2026-11-28 10:58:43.21581+00")
                .text(role)
                .text("arn:aws:kms:us-east-1:111122223333:key/k1")
                .text("a.b.c.d.e")
                .nullValue()
                .build();
        return new Insert(OUTBOX, row);
    }

    private static Insert otherRow() {
        return new Insert(OTHER, TupleData.builder().text("x").build());
    }

    private static Begin begin() {
        return new Begin(Lsn.of(0x200), COMMIT_TIME, 740);
    }

    private static Commit commit(long endLsn) {
        return new Commit(0, Lsn.of(endLsn - 0x30), Lsn.of(endLsn), COMMIT_TIME);
    }

    private Optional<OutboxBatch> feed(PgOutputMessage... messages) {
        Optional<OutboxBatch> last = Optional.empty();
        for (PgOutputMessage message : messages) {
            last = assembler.accept(message);
            if (last.isPresent()) {
                return last;
            }
        }
        return last;
    }

    @Test
    void yieldsTheOutboxRowsOfATransactionAtItsCommitInOrder() {
        Optional<OutboxBatch> beforeCommit = feed(begin(), relation(OUTBOX, "credsync", "outbox", COLUMNS),
                outboxRow(1, "app_b"), outboxRow(2, "app_a"));
        assertThat(beforeCommit).as("nothing before the Commit").isEmpty();
        assertThat(assembler.inTransaction()).isTrue();

        OutboxBatch batch = assembler.accept(commit(0x300)).orElseThrow();

        assertThat(batch.events()).extracting(OutboxEvent::roleName).containsExactly("app_b", "app_a");
        assertThat(batch.endLsn()).as("the commit record's end, the position to confirm").isEqualTo(Lsn.of(0x300));
        assertThat(batch.commitTime()).isEqualTo(COMMIT_TIME);
        assertThat(assembler.inTransaction()).isFalse();
    }

    @Test
    void aTransactionWithoutOutboxRowsYieldsNothing() {
        assertThat(feed(begin(), relation(OTHER, "public", "orders", List.of("x")), otherRow(), commit(0x300)))
                .isEmpty();
        assertThat(feed(begin(), commit(0x400))).as("an empty transaction").isEmpty();
    }

    @Test
    void rowsOfOtherTablesInTheSameTransactionAreLeftOut() {
        OutboxBatch batch = feed(begin(), relation(OUTBOX, "credsync", "outbox", COLUMNS),
                relation(OTHER, "public", "orders", List.of("x")), otherRow(), outboxRow(1, "app"), otherRow(),
                commit(0x300)).orElseThrow();

        assertThat(batch.events()).extracting(OutboxEvent::id).containsExactly(1L);
    }

    @Test
    void relationsAreRememberedAcrossTransactions() {
        feed(begin(), relation(OUTBOX, "credsync", "outbox", COLUMNS), outboxRow(1, "a"), commit(0x300));

        assertThat(feed(begin(), outboxRow(2, "b"), commit(0x400)).orElseThrow().events())
                .extracting(OutboxEvent::id).containsExactly(2L);
    }

    @Test
    void messagesTheOutboxDoesNotNeedAreIgnored() {
        OutboxBatch batch = feed(begin(), new PgOutputMessage.Origin(Lsn.of(0x10), "elsewhere"),
                new PgOutputMessage.Type(90_000, "public", "mood"),
                relation(OUTBOX, "credsync", "outbox", COLUMNS), outboxRow(1, "a"),
                new PgOutputMessage.Truncate(0, List.of(OTHER)),
                new PgOutputMessage.Message(true, Lsn.of(0x250), "p", new byte[] {1}),
                commit(0x300)).orElseThrow();

        assertThat(batch.size()).isEqualTo(1);
    }

    @Test
    void aBeginInsideATransactionIsAnError() {
        assembler.accept(begin());

        assertThatThrownBy(() -> assembler.accept(begin())).isInstanceOf(PgOutputDecodeException.class);
    }

    @Test
    void anInsertOrCommitOutsideATransactionIsAnError() {
        assembler.accept(relation(OUTBOX, "credsync", "outbox", COLUMNS));

        assertThatThrownBy(() -> assembler.accept(outboxRow(1, "a"))).isInstanceOf(PgOutputDecodeException.class);
        assertThatThrownBy(() -> assembler.accept(commit(0x300))).isInstanceOf(PgOutputDecodeException.class);
    }
}
