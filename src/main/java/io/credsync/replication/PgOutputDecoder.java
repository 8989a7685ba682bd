package io.credsync.replication;

import io.credsync.replication.PgOutputMessage.ReplicaIdentity;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the payload of one XLogData message from a pgoutput slot into a
 * {@link PgOutputMessage}: bytes in, immutable values out, no I/O and no catalog lookups.
 *
 * <p>Reads every message PostgreSQL 15 sends with {@code proto_version} 1, 2 (streaming of
 * large in-progress transactions) or 3 (two-phase). Every type is decoded in full, not
 * skipped: each has a fixed layout, so reading it costs little, checks that the stream is
 * still aligned, and leaves the caller free to ignore what it does not need. An unknown type
 * byte, a truncated message or bytes left over raise a {@link PgOutputDecodeException}.
 *
 * <p><b>Stateful, not thread-safe.</b> From protocol version 2 on, Relation, Type, Insert,
 * Update, Delete, Truncate and logical-decoding Message carry a transaction id only when
 * they arrive between Stream Start and Stream Stop, and nothing in the message itself says
 * so. The decoder therefore remembers whether it is inside a stream block. One thread owns a
 * replication stream and its decoder, and must give it every message in order. After a
 * reconnect the server starts outside any stream block: call {@link #reset()} or use a new
 * decoder. In a stream block only the types PostgreSQL sends there are accepted, so a decoder
 * that missed a Stream Stop fails loudly instead of misreading every later row.
 */
public final class PgOutputDecoder {

    /** What PostgreSQL 15 sends between Stream Start and Stream Stop (Origin only at the start). */
    private static final Set<MessageType> IN_STREAM = EnumSet.of(
            MessageType.ORIGIN, MessageType.RELATION, MessageType.TYPE, MessageType.INSERT,
            MessageType.UPDATE, MessageType.DELETE, MessageType.TRUNCATE, MessageType.MESSAGE,
            MessageType.STREAM_STOP);

    private boolean inStream;

    /**
     * Decodes the bytes between {@code message}'s position and limit. The buffer's position,
     * limit and mark are left as they were, and no reference to it is kept, so it may be the
     * buffer PgJDBC reuses for the next read.
     *
     * @param message one pgoutput message, starting with its type byte; not {@code null}
     * @return the decoded message, never {@code null}
     * @throws PgOutputDecodeException if the message is malformed, of an unknown type, or not
     *     allowed where it arrived; the decoder's state is then unchanged
     */
    public PgOutputMessage decode(ByteBuffer message) {
        Objects.requireNonNull(message, "message");
        WireReader in = new WireReader(message);
        if (!in.hasRemaining()) {
            throw in.error("empty pgoutput message");
        }
        MessageType type = MessageType.forType((char) in.uint8());
        in.describing(type);
        checkAllowedHere(type);
        PgOutputMessage decoded = switch (type) {
            case BEGIN -> handleBegin(in);
            case COMMIT -> handleCommit(in);
            case ORIGIN -> handleOrigin(in);
            case RELATION -> handleRelation(in);
            case TYPE -> handleType(in);
            case INSERT -> handleInsert(in);
            case UPDATE -> handleUpdate(in);
            case DELETE -> handleDelete(in);
            case TRUNCATE -> handleTruncate(in);
            case MESSAGE -> handleMessage(in);
            case STREAM_START -> handleStreamStart(in);
            case STREAM_STOP -> new PgOutputMessage.StreamStop();
            case STREAM_COMMIT -> handleStreamCommit(in);
            case STREAM_ABORT -> handleStreamAbort(in);
            case BEGIN_PREPARE -> handleBeginPrepare(in);
            case PREPARE -> handlePrepare(in);
            case COMMIT_PREPARED -> handleCommitPrepared(in);
            case ROLLBACK_PREPARED -> handleRollbackPrepared(in);
            case STREAM_PREPARE -> handleStreamPrepare(in);
        };
        in.expectEnd();
        // Only a fully decoded message moves the state, so a failure leaves it as it was.
        if (type == MessageType.STREAM_START) {
            inStream = true;
        } else if (type == MessageType.STREAM_STOP) {
            inStream = false;
        }
        return decoded;
    }

    /** Whether the last message left the decoder between Stream Start and Stream Stop. */
    public boolean inStream() {
        return inStream;
    }

    /** Forgets any open stream block; call it when the replication connection is re-established. */
    public void reset() {
        inStream = false;
    }

    private void checkAllowedHere(MessageType type) {
        if (inStream && !IN_STREAM.contains(type)) {
            throw new PgOutputDecodeException(type.label()
                    + " message inside a stream block (a Stream Stop was missed, or the decoder"
                    + " was not reset after a reconnect)");
        }
        if (!inStream && type == MessageType.STREAM_STOP) {
            throw new PgOutputDecodeException("Stream Stop message outside a stream block");
        }
    }

    /** The xid PostgreSQL puts first in row, relation, type and message messages when streaming. */
    private long streamXid(WireReader in) {
        if (!inStream) {
            return PgOutputMessage.NO_XID;
        }
        int at = in.offset();
        long xid = in.uint32();
        if (xid == PgOutputMessage.NO_XID) {
            throw in.invalid(at, "streamed transaction id is 0 (InvalidTransactionId)");
        }
        return xid;
    }

    private static PgOutputMessage handleBegin(WireReader in) {
        return new PgOutputMessage.Begin(in.lsn(), in.timestamp(), in.uint32());
    }

    private static PgOutputMessage handleCommit(WireReader in) {
        return new PgOutputMessage.Commit(in.uint8(), in.lsn(), in.lsn(), in.timestamp());
    }

    private static PgOutputMessage handleOrigin(WireReader in) {
        return new PgOutputMessage.Origin(in.lsn(), in.string());
    }

    private PgOutputMessage handleRelation(WireReader in) {
        long xid = streamXid(in);
        long relationId = in.uint32();
        String namespace = namespace(in);
        String name = in.string();
        int at = in.offset();
        int code = in.uint8();
        ReplicaIdentity identity = ReplicaIdentity.forCode(code);
        if (identity == null) {
            throw in.invalid(at, "unknown replica identity " + MessageType.describe(code));
        }
        int count = in.uint16();
        // A table has at most 1600 columns (MaxHeapAttributeNumber); a corrupt count fails on
        // truncation in the loop rather than presizing a huge list.
        List<PgOutputMessage.Column> columns = new ArrayList<>(Math.min(count, 1600));
        for (int i = 0; i < count; i++) {
            columns.add(new PgOutputMessage.Column(in.uint8(), in.string(), in.uint32(), in.int32()));
        }
        return new PgOutputMessage.Relation(xid, relationId, namespace, name, identity, columns);
    }

    private PgOutputMessage handleType(WireReader in) {
        long xid = streamXid(in);
        return new PgOutputMessage.Type(xid, in.uint32(), namespace(in), in.string());
    }

    /** PostgreSQL abbreviates pg_catalog as the empty string; its own reader expands it too. */
    private static String namespace(WireReader in) {
        String namespace = in.string();
        return namespace.isEmpty() ? "pg_catalog" : namespace;
    }

    private PgOutputMessage handleInsert(WireReader in) {
        long xid = streamXid(in);
        long relationId = in.uint32();
        expectTag(in, 'N');
        return new PgOutputMessage.Insert(xid, relationId, tuple(in));
    }

    private PgOutputMessage handleUpdate(WireReader in) {
        long xid = streamXid(in);
        long relationId = in.uint32();
        TupleData oldKey = null;
        TupleData oldTuple = null;
        int at = in.offset();
        int tag = in.uint8();
        if (tag == 'K') {
            oldKey = tuple(in);
        } else if (tag == 'O') {
            oldTuple = tuple(in);
        } else if (tag != 'N') {
            throw in.invalid(at, "expected 'K', 'O' or 'N', got " + MessageType.describe(tag));
        }
        if (tag != 'N') {
            expectTag(in, 'N');
        }
        return new PgOutputMessage.Update(xid, relationId, oldKey, oldTuple, tuple(in));
    }

    private PgOutputMessage handleDelete(WireReader in) {
        long xid = streamXid(in);
        long relationId = in.uint32();
        int at = in.offset();
        int tag = in.uint8();
        if (tag == 'K') {
            return new PgOutputMessage.Delete(xid, relationId, tuple(in), null);
        }
        if (tag == 'O') {
            return new PgOutputMessage.Delete(xid, relationId, null, tuple(in));
        }
        throw in.invalid(at, "expected 'K' or 'O', got " + MessageType.describe(tag));
    }

    private static void expectTag(WireReader in, char expected) {
        int at = in.offset();
        int tag = in.uint8();
        if (tag != expected) {
            throw in.invalid(at, "expected '" + expected + "', got " + MessageType.describe(tag));
        }
    }

    private static TupleData tuple(WireReader in) {
        int count = in.uint16();
        TupleData.Builder row = TupleData.builder();
        for (int i = 0; i < count; i++) {
            int at = in.offset();
            int kind = in.uint8();
            switch (kind) {
                case 'n' -> row.nullValue();
                case 'u' -> row.unchangedToast();
                case 't' -> row.text(in.text(in.int32()));
                case 'b' -> row.binary(in.bytes(in.int32()));
                default -> throw in.invalid(at, "unknown kind " + MessageType.describe(kind)
                        + " for column " + i);
            }
        }
        return row.build();
    }

    private PgOutputMessage handleTruncate(WireReader in) {
        long xid = streamXid(in);
        int at = in.offset();
        int count = in.int32();
        if (count < 0) {
            throw in.invalid(at, "negative relation count " + count);
        }
        int options = in.uint8();
        // Capped presizing: a corrupt count fails on truncation in the loop, not by allocating.
        List<Long> relationIds = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            relationIds.add(in.uint32());
        }
        return new PgOutputMessage.Truncate(xid, options, relationIds);
    }

    private PgOutputMessage handleMessage(WireReader in) {
        long xid = streamXid(in);
        boolean transactional = (in.uint8() & 1) != 0;
        Lsn lsn = in.lsn();
        String prefix = in.string();
        byte[] content = in.bytes(in.int32());
        return new PgOutputMessage.Message(xid, transactional, lsn, prefix, content);
    }

    private static PgOutputMessage handleStreamStart(WireReader in) {
        return new PgOutputMessage.StreamStart(in.uint32(), in.uint8() == 1);
    }

    private static PgOutputMessage handleStreamCommit(WireReader in) {
        return new PgOutputMessage.StreamCommit(in.uint32(), in.uint8(), in.lsn(), in.lsn(), in.timestamp());
    }

    /** PostgreSQL 15 sends only the two xids; the abort LSN and time came with protocol 4 (16). */
    private static PgOutputMessage handleStreamAbort(WireReader in) {
        return new PgOutputMessage.StreamAbort(in.uint32(), in.uint32());
    }

    private static PgOutputMessage handleBeginPrepare(WireReader in) {
        return new PgOutputMessage.BeginPrepare(in.lsn(), in.lsn(), in.timestamp(), in.uint32(), in.string());
    }

    private static PgOutputMessage handlePrepare(WireReader in) {
        return new PgOutputMessage.Prepare(
                in.uint8(), in.lsn(), in.lsn(), in.timestamp(), in.uint32(), in.string());
    }

    private static PgOutputMessage handleCommitPrepared(WireReader in) {
        return new PgOutputMessage.CommitPrepared(
                in.uint8(), in.lsn(), in.lsn(), in.timestamp(), in.uint32(), in.string());
    }

    private static PgOutputMessage handleRollbackPrepared(WireReader in) {
        return new PgOutputMessage.RollbackPrepared(
                in.uint8(), in.lsn(), in.lsn(), in.timestamp(), in.timestamp(), in.uint32(), in.string());
    }

    private static PgOutputMessage handleStreamPrepare(WireReader in) {
        return new PgOutputMessage.StreamPrepare(
                in.uint8(), in.lsn(), in.lsn(), in.timestamp(), in.uint32(), in.string());
    }
}
