package io.credsync.replication;

import static io.credsync.replication.WireBuilder.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.replication.PgOutputMessage.Begin;
import io.credsync.replication.PgOutputMessage.Column;
import io.credsync.replication.PgOutputMessage.Commit;
import io.credsync.replication.PgOutputMessage.Delete;
import io.credsync.replication.PgOutputMessage.Insert;
import io.credsync.replication.PgOutputMessage.Message;
import io.credsync.replication.PgOutputMessage.Origin;
import io.credsync.replication.PgOutputMessage.Relation;
import io.credsync.replication.PgOutputMessage.ReplicaIdentity;
import io.credsync.replication.PgOutputMessage.Truncate;
import io.credsync.replication.PgOutputMessage.Type;
import io.credsync.replication.PgOutputMessage.Update;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

    private static final Instant COMMIT_TIME = Instant.parse("2024-05-01T12:34:56.123456Z");
    private static final long OUTBOX_OID = 16_385L;

    private final PgOutputDecoder decoder = new PgOutputDecoder();

    // ---- transaction framing -------------------------------------------------------------

    @Test
    void shouldDecodeBegin() {
        var begin = (Begin) decoder.decode(message('B')
                .lsn("16/B374D848").timestamp(COMMIT_TIME).int32(742).build());

        assertThat(begin.type()).isEqualTo(MessageType.BEGIN);
        assertThat(begin.finalLsn()).isEqualTo(Lsn.parse("16/B374D848"));
        assertThat(begin.commitTime()).as("microseconds since 2000-01-01").isEqualTo(COMMIT_TIME);
        assertThat(begin.xid()).isEqualTo(742L);
    }

    @Test
    void shouldDecodeCommit() {
        var commit = (Commit) decoder.decode(message('C')
                .int8(0).lsn("16/B374D848").lsn("16/B374D878").timestamp(COMMIT_TIME).build());

        assertThat(commit.flags()).isZero();
        assertThat(commit.commitLsn()).isEqualTo(Lsn.parse("16/B374D848"));
        assertThat(commit.endLsn()).as("the position to confirm").isEqualTo(Lsn.parse("16/B374D878"));
        assertThat(commit.commitTime()).isEqualTo(COMMIT_TIME);
    }

    @Test
    void shouldDecodeTimestampsBeforeThePostgresEpoch() {
        Instant before = Instant.parse("1999-12-31T23:59:59.999999Z");

        var begin = (Begin) decoder.decode(message('B').lsn("0/1").timestamp(before).int32(1).build());

        assertThat(begin.commitTime()).as("negative microseconds round down").isEqualTo(before);
    }

    @Test
    void shouldDecodeUnsignedTransactionIds() {
        var begin = (Begin) decoder.decode(message('B')
                .lsn("0/1").timestamp(COMMIT_TIME).int32(0xFFFF_FFFEL).build());

        assertThat(begin.xid()).as("xids above 2^31 stay positive").isEqualTo(0xFFFF_FFFEL);
    }

    @Test
    void shouldDecodeOrigin() {
        var origin = (Origin) decoder.decode(message('O').lsn("3/10").string("pg_16390").build());

        assertThat(origin.originLsn()).isEqualTo(Lsn.parse("3/10"));
        assertThat(origin.name()).isEqualTo("pg_16390");
    }

    // ---- schema --------------------------------------------------------------------------

    @Test
    void shouldDecodeRelationWithKeyColumnsAndTypeModifiers() {
        var relation = (Relation) decoder.decode(outboxRelation().build());
        assertThat(relation.relationId()).isEqualTo(OUTBOX_OID);
        assertThat(relation.namespace()).isEqualTo("credsync");
        assertThat(relation.name()).isEqualTo("outbox");
        assertThat(relation.replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
        assertThat(relation.columns()).containsExactly(
                new Column(1, "id", 20, -1),
                new Column(0, "role_name", 1043, 67),
                new Column(0, "envelope", 25, -1));
        assertThat(relation.columns().get(0).isKey()).isTrue();
        assertThat(relation.columns().get(1).isKey()).isFalse();
    }

    @Test
    void shouldExpandTheEmptyNamespaceToPgCatalog() {
        var relation = (Relation) decoder.decode(message('R')
                .int32(1259).string("").string("pg_class").int8('n').int16(0).build());

        assertThat(relation.namespace()).as("PostgreSQL abbreviates pg_catalog as ''").isEqualTo("pg_catalog");
        assertThat(relation.replicaIdentity()).isEqualTo(ReplicaIdentity.NOTHING);
        assertThat(relation.columns()).isEmpty();
    }

    @Test
    void shouldDecodeEveryReplicaIdentity() {
        for (ReplicaIdentity identity : ReplicaIdentity.values()) {
            var relation = (Relation) decoder.decode(message('R')
                    .int32(1).string("s").string("t").int8(identity.code()).int16(0).build());

            assertThat(relation.replicaIdentity()).isEqualTo(identity);
        }
    }

    @Test
    void shouldDecodeUnsignedRelationOids() {
        var relation = (Relation) decoder.decode(message('R')
                .int32(0x8000_0001L).string("s").string("t").int8('f').int16(1)
                .int8(1).string("c").int32(0xFFFF_FFF0L).int32(-1).build());

        assertThat(relation.relationId()).isEqualTo(0x8000_0001L);
        assertThat(relation.columns().get(0).typeOid()).isEqualTo(0xFFFF_FFF0L);
    }

    @Test
    void shouldDecodeType() {
        var type = (Type) decoder.decode(message('Y').int32(16_400).string("public").string("mood").build());
        assertThat(type.typeOid()).isEqualTo(16_400L);
        assertThat(type.namespace()).isEqualTo("public");
        assertThat(type.name()).isEqualTo("mood");
    }

    // ---- row changes ---------------------------------------------------------------------

    @Test
    void shouldDecodeInsertWithTextColumns() {
        var insert = (Insert) decoder.decode(message('I').int32(OUTBOX_OID).int8('N')
                .int16(3).textColumn("17").textColumn("app_ü").textColumn("eyJhbGciOi...").build());

        assertThat(insert.type()).isEqualTo(MessageType.INSERT);
        assertThat(insert.relationId()).isEqualTo(OUTBOX_OID);
        assertThat(insert.newTuple().size()).isEqualTo(3);
        assertThat(insert.newTuple().text(0)).isEqualTo("17");
        assertThat(insert.newTuple().text(1)).as("UTF-8").isEqualTo("app_ü");
        assertThat(insert.newTuple().text(2)).isEqualTo("eyJhbGciOi...");
    }

    @Test
    void shouldDecodeInsertWithNullAndUnchangedToastColumns() {
        var insert = (Insert) decoder.decode(message('I').int32(OUTBOX_OID).int8('N')
                .int16(4).int8('n').int8('u').textColumn("").binaryColumn(new byte[] {0, 1, (byte) 0xFF})
                .build());

        TupleData row = insert.newTuple();
        assertThat(row.kinds()).containsExactly(
                TupleData.Kind.NULL, TupleData.Kind.UNCHANGED_TOAST, TupleData.Kind.TEXT, TupleData.Kind.BINARY);
        assertThat(row.isNull(0)).isTrue();
        assertThat(row.text(0)).as("SQL NULL reads as null").isNull();
        assertThat(row.isUnchangedToast(1)).isTrue();
        assertThat(row.text(2)).as("empty text is not NULL").isEmpty();
        assertThat(row.binary(3)).containsExactly(0, 1, 0xFF);
    }

    @Test
    void shouldDecodeUpdateWithoutOldTuple() {
        var update = (Update) decoder.decode(message('U').int32(OUTBOX_OID)
                .int8('N').int16(1).textColumn("new").build());

        assertThat(update.oldKey()).isNull();
        assertThat(update.oldTuple()).isNull();
        assertThat(update.newTuple().text(0)).isEqualTo("new");
    }

    @Test
    void shouldDecodeUpdateWithOldKey() {
        var update = (Update) decoder.decode(message('U').int32(OUTBOX_OID)
                .int8('K').int16(2).textColumn("1").int8('n')
                .int8('N').int16(2).textColumn("2").textColumn("b").build());

        assertThat(update.oldKey()).isEqualTo(TupleData.builder().text("1").nullValue().build());
        assertThat(update.oldTuple()).isNull();
        assertThat(update.newTuple()).isEqualTo(TupleData.builder().text("2").text("b").build());
    }

    @Test
    void shouldDecodeUpdateWithOldTupleUnderReplicaIdentityFull() {
        var update = (Update) decoder.decode(message('U').int32(OUTBOX_OID)
                .int8('O').int16(2).textColumn("1").textColumn("a")
                .int8('N').int16(2).textColumn("1").int8('u').build());

        assertThat(update.oldKey()).isNull();
        assertThat(update.oldTuple()).isEqualTo(TupleData.builder().text("1").text("a").build());
        assertThat(update.newTuple()).isEqualTo(TupleData.builder().text("1").unchangedToast().build());
    }

    @Test
    void shouldDecodeDeleteWithOldKey() {
        var delete = (Delete) decoder.decode(message('D').int32(OUTBOX_OID)
                .int8('K').int16(1).textColumn("17").build());

        assertThat(delete.relationId()).isEqualTo(OUTBOX_OID);
        assertThat(delete.oldKey().text(0)).isEqualTo("17");
        assertThat(delete.oldTuple()).isNull();
    }

    @Test
    void shouldDecodeDeleteWithOldTuple() {
        var delete = (Delete) decoder.decode(message('D').int32(OUTBOX_OID)
                .int8('O').int16(2).textColumn("17").int8('n').build());

        assertThat(delete.oldKey()).isNull();
        assertThat(delete.oldTuple()).isEqualTo(TupleData.builder().text("17").nullValue().build());
    }

    @Test
    void shouldDecodeTruncateWithOptionsAndRelations() {
        var truncate = (Truncate) decoder.decode(message('T')
                .int32(2).int8(3).int32(OUTBOX_OID).int32(0xFFFF_0000L).build());
        assertThat(truncate.options()).isEqualTo(3);
        assertThat(truncate.cascade()).isTrue();
        assertThat(truncate.restartIdentity()).isTrue();
        assertThat(truncate.relationIds()).containsExactly(OUTBOX_OID, 0xFFFF_0000L);
    }

    @Test
    void shouldDecodeTruncateWithoutOptions() {
        var truncate = (Truncate) decoder.decode(message('T').int32(1).int8(0).int32(OUTBOX_OID).build());

        assertThat(truncate.cascade()).isFalse();
        assertThat(truncate.restartIdentity()).isFalse();
    }

    @Test
    void shouldDecodeTransactionalLogicalDecodingMessage() {
        byte[] content = {1, 0, 2, (byte) 0x80};

        var msg = (Message) decoder.decode(message('M')
                .int8(1).lsn("5/AB").string("credsync").int32(content.length).bytes(content).build());
        assertThat(msg.transactional()).isTrue();
        assertThat(msg.lsn()).isEqualTo(Lsn.parse("5/AB"));
        assertThat(msg.prefix()).isEqualTo("credsync");
        assertThat(msg.content()).as("raw bytes, NUL included").containsExactly(content);
        assertThat(msg.toString()).as("content is not logged").contains("4 bytes").doesNotContain("[1, 0");
    }

    @Test
    void shouldDecodeNonTransactionalLogicalDecodingMessage() {
        var msg = (Message) decoder.decode(message('M')
                .int8(0).lsn("5/AB").string("").int32(0).build());

        assertThat(msg.transactional()).isFalse();
        assertThat(msg.prefix()).isEmpty();
        assertThat(msg.content()).isEmpty();
    }

    // ---- buffers ---------------------------------------------------------------------------

    @Test
    void shouldReadFromTheBufferPositionToItsLimitAndLeaveTheBufferUntouched() {
        ByteBuffer buffer = message('I').int32(OUTBOX_OID).int8('N').int16(1).textColumn("abc")
                .buildInsideLargerBuffer();
        int position = buffer.position();
        int limit = buffer.limit();

        var insert = (Insert) decoder.decode(buffer);

        assertThat(insert.newTuple().text(0)).isEqualTo("abc");
        assertThat(buffer.position()).as("position untouched").isEqualTo(position);
        assertThat(buffer.limit()).as("limit untouched").isEqualTo(limit);
    }

    @Test
    void shouldKeepNoReferenceToTheBufferItDecoded() {
        byte[] content = {1, 2, 3};
        ByteBuffer buffer = message('M').int8(1).lsn("0/1").string("p").int32(3).bytes(content).build();
        var insertBuffer = message('I').int32(OUTBOX_OID).int8('N').int16(1).binaryColumn(content).build();

        var msg = (Message) decoder.decode(buffer);
        var insert = (Insert) decoder.decode(insertBuffer);
        Arrays.fill(buffer.array(), (byte) 0);
        Arrays.fill(insertBuffer.array(), (byte) 0);

        assertThat(msg.content()).as("PgJDBC reuses its buffer").containsExactly(content);
        assertThat(insert.newTuple().binary(0)).containsExactly(content);
    }

    @Test
    void shouldIgnoreTheCallersByteOrder() {
        ByteBuffer buffer = message('B').lsn("1/2").timestamp(COMMIT_TIME).int32(7).build()
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);

        var begin = (Begin) decoder.decode(buffer);

        assertThat(begin.finalLsn()).as("the wire is big-endian").isEqualTo(Lsn.parse("1/2"));
        assertThat(buffer.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    // ---- malformed input ------------------------------------------------------------------

    @Test
    void shouldRejectEveryTruncationOfEveryMessageTypeWithAClearError() {
        for (Map.Entry<MessageType, Sample> entry : oneSampleOfEachType().entrySet()) {
            byte[] whole = entry.getValue().bytes();
            for (int length = 1; length < whole.length; length++) {
                                ByteBuffer prefix = ByteBuffer.wrap(whole, 0, length);
                String label = entry.getKey().label();

                assertThatThrownBy(() -> decoder.decode(prefix))
                        .as("%s cut to %d of %d bytes", label, length, whole.length)
                        .isExactlyInstanceOf(PgOutputDecodeException.class)
                        .hasMessageContaining("truncated " + label + " message");
            }
        }
    }

    @Test
    void shouldDecodeOneSampleOfEveryProtocolVersion1Type() {
        Map<MessageType, Sample> samples = oneSampleOfEachType();

        assertThat(samples.keySet()).as("the samples cover every type").isEqualTo(EnumSet.allOf(MessageType.class));
        samples.forEach((type, sample) ->
                assertThat(decoder.decode(ByteBuffer.wrap(sample.bytes())).type()).isEqualTo(type));
    }

    @Test
    void shouldNameTheTruncatedFieldsOffset() {
        assertThatThrownBy(() -> decoder.decode(message('B').lsn("1/2").int32(5).build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("truncated Begin message: needs 8 bytes at offset 9, only 4 remain");
    }

    @Test
    void shouldRejectUnknownMessageTypeNamingTheByte() {
        assertThatThrownBy(() -> decoder.decode(message('X').int32(1).build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("unknown pgoutput message type 'X' (0x58)");
        assertThatThrownBy(() -> decoder.decode(message(0x00).build()))
                .hasMessage("unknown pgoutput message type 0x00");
        assertThatThrownBy(() -> decoder.decode(message(0xC3).build()))
                .hasMessage("unknown pgoutput message type 0xC3");
    }

    @Test
    void shouldRejectAnEmptyBuffer() {
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.allocate(0)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("empty pgoutput message");
    }

    @Test
    void shouldRejectTrailingBytesBecauseTheyMeanTheLayoutWasMisread() {
        ByteBuffer tooLong = message('B').lsn("1/2").timestamp(COMMIT_TIME).int32(7).int32(9).build();

        assertThatThrownBy(() -> decoder.decode(tooLong))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("Begin message has 4 unexpected trailing bytes at offset 21");
    }

    @Test
    void shouldRejectTheStreamingAndTwoPhaseTypesOfLaterProtocolVersionsBecauseOnlyVersion1IsRequested() {
        // Stream Start/Stop/Commit/Abort (version 2); Begin Prepare, Prepare, Commit Prepared,
        // Rollback Prepared, Stream Prepare (version 3).
        for (char type : new char[] {'S', 'E', 'c', 'A', 'b', 'P', 'K', 'r', 'p'}) {
            assertThatThrownBy(() -> decoder.decode(message(type).int32(740).int8(1).build()))
                    .as("type %s", type)
                    .isExactlyInstanceOf(PgOutputDecodeException.class)
                    .hasMessage("unknown pgoutput message type '" + type + "' (0x%02X)", (int) type);
        }
    }

    @Test
    void shouldRejectUnknownTupleColumnKind() {
        assertThatThrownBy(() -> decoder.decode(message('I').int32(OUTBOX_OID).int8('N')
                        .int16(2).int8('n').int8('x').build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("Insert message at offset 9: unknown kind 'x' (0x78) for column 1");
    }

    @Test
    void shouldRejectANegativeColumnLength() {
        assertThatThrownBy(() -> decoder.decode(message('I').int32(OUTBOX_OID).int8('N')
                        .int16(1).int8('t').int32(-1).build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageContaining("negative length -1");
    }

    @Test
    void shouldRejectAnInsertWithoutTheNewTupleTag() {
        assertThatThrownBy(() -> decoder.decode(message('I').int32(OUTBOX_OID).int8('K').int16(0).build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("Insert message at offset 5: expected 'N', got 'K' (0x4B)");
    }

    @Test
    void shouldRejectUpdateAndDeleteWithUnknownTupleTags() {
        assertThatThrownBy(() -> decoder.decode(message('U').int32(1).int8('Z').int16(0).build()))
                .hasMessage("Update message at offset 5: expected 'K', 'O' or 'N', got 'Z' (0x5A)");
        assertThatThrownBy(() -> decoder.decode(message('U').int32(1).int8('K').int16(0).int8('K').int16(0).build()))
                .hasMessage("Update message at offset 8: expected 'N', got 'K' (0x4B)");
        assertThatThrownBy(() -> decoder.decode(message('D').int32(1).int8('N').int16(0).build()))
                .hasMessage("Delete message at offset 5: expected 'K' or 'O', got 'N' (0x4E)");
    }

    @Test
    void shouldRejectUnknownReplicaIdentity() {
        assertThatThrownBy(() -> decoder.decode(message('R').int32(1).string("s").string("t").int8('z').int16(0).build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("Relation message at offset 9: unknown replica identity 'z' (0x7A)");
    }

    @Test
    void shouldRejectInvalidUtf8RatherThanReplaceIt() {
        byte[] invalid = {'a', (byte) 0xC3, '('};

        assertThatThrownBy(() -> decoder.decode(message('I').int32(OUTBOX_OID).int8('N')
                        .int16(1).int8('t').int32(3).bytes(invalid).build()))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("Insert message at offset 13: invalid UTF-8 in a 3-byte string");
        assertThatThrownBy(() -> decoder.decode(message('O').lsn("0/1").bytes(invalid).int8(0).build()))
                .hasMessage("Origin message at offset 9: invalid UTF-8 in a 3-byte string");
    }

    @Test
    void shouldRejectAStringWithoutItsTerminatingNul() {
        ByteBuffer unterminated = message('O').lsn("0/1").bytes("abc".getBytes(StandardCharsets.UTF_8)).build();

        assertThatThrownBy(() -> decoder.decode(unterminated))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("truncated Origin message: string at offset 9 has no terminating NUL");
    }

    @Test
    void shouldRejectANegativeTruncateRelationCount() {
        assertThatThrownBy(() -> decoder.decode(message('T').int32(-1).int8(0).build()))
                .hasMessage("Truncate message at offset 1: negative relation count -1");
    }

    // ---- a whole transaction ----------------------------------------------------------------

    @Test
    void shouldDecodeAProtocolVersion1TransactionInOrder() {
        List<PgOutputMessage> decoded = List.of(
                decoder.decode(message('B').lsn("0/200").timestamp(COMMIT_TIME).int32(42).build()),
                decoder.decode(outboxRelation().build()),
                decoder.decode(message('I').int32(OUTBOX_OID).int8('N')
                        .int16(3).textColumn("1").textColumn("app").textColumn("jwe").build()),
                decoder.decode(message('C').int8(0).lsn("0/200").lsn("0/230").timestamp(COMMIT_TIME).build()));

        assertThat(decoded).extracting(PgOutputMessage::type).containsExactly(
                MessageType.BEGIN, MessageType.RELATION, MessageType.INSERT, MessageType.COMMIT);
        assertThat(((Insert) decoded.get(2)).newTuple().text(1)).isEqualTo("app");
    }

    // ---- helpers --------------------------------------------------------------------------

    private static WireBuilder outboxRelation() {
        return message('R').int32(OUTBOX_OID).string("credsync").string("outbox").int8('d').int16(3)
                .int8(1).string("id").int32(20).int32(-1)
                .int8(0).string("role_name").int32(1043).int32(67)
                .int8(0).string("envelope").int32(25).int32(-1);
    }

    /** A message's bytes. */
    private record Sample(byte[] bytes) {
    }

    private static Map<MessageType, Sample> oneSampleOfEachType() {
        Map<MessageType, Sample> samples = new LinkedHashMap<>();
        samples.put(MessageType.BEGIN, sample(message('B').lsn("1/2").timestamp(COMMIT_TIME).int32(7)));
        samples.put(MessageType.COMMIT, sample(message('C').int8(0).lsn("1/2").lsn("1/3").timestamp(COMMIT_TIME)));
        samples.put(MessageType.ORIGIN, sample(message('O').lsn("1/2").string("origin")));
        samples.put(MessageType.RELATION, sample(message('R').int32(OUTBOX_OID)
                .string("credsync").string("outbox").int8('d').int16(1).int8(1).string("id").int32(20).int32(-1)));
        samples.put(MessageType.TYPE, sample(message('Y').int32(16_400).string("s").string("t")));
        samples.put(MessageType.INSERT, sample(message('I').int32(OUTBOX_OID).int8('N')
                .int16(4).textColumn("ab").int8('n').int8('u').binaryColumn(new byte[] {1, 2})));
        samples.put(MessageType.UPDATE, sample(message('U').int32(OUTBOX_OID)
                .int8('O').int16(1).textColumn("a").int8('N').int16(1).textColumn("b")));
        samples.put(MessageType.DELETE, sample(message('D').int32(OUTBOX_OID).int8('K').int16(1).textColumn("a")));
        samples.put(MessageType.TRUNCATE, sample(message('T').int32(2).int8(1).int32(1).int32(2)));
        samples.put(MessageType.MESSAGE, sample(message('M').int8(1).lsn("1/2")
                .string("p").int32(2).bytes(new byte[] {9, 9})));
        return samples;
    }

    private static Sample sample(WireBuilder builder) {
        return new Sample(builder.toBytes());
    }
}
