package io.credsync.replication;

import io.credsync.replication.PgOutputMessage.ReplicaIdentity;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns the payload of one XLogData message from a pgoutput slot into a
 * {@link PgOutputMessage}: bytes in, immutable values out, no I/O and no catalog lookups.
 *
 * <p>Reads every message PostgreSQL sends with {@code proto_version} 1, the only version
 * credsync requests. Every type is decoded in full, not skipped: each has a fixed layout, so
 * reading it costs little, checks that the stream is still aligned, and leaves the caller free
 * to ignore what it does not need. An unknown type byte (including the streaming and
 * two-phase types of protocol versions 2 and 3, which were not asked for), a truncated message
 * or bytes left over raise a {@link PgOutputDecodeException}.
 *
 * <p>Stateless, so immutable and thread-safe: each message is decoded on its own.
 */
public final class PgOutputDecoder {

    /**
     * Decodes the bytes between {@code message}'s position and limit. The buffer's position,
     * limit and mark are left as they were, and no reference to it is kept, so it may be the
     * buffer PgJDBC reuses for the next read.
     *
     * @param message one pgoutput message, starting with its type byte; not {@code null}
     * @return the decoded message, never {@code null}
     * @throws PgOutputDecodeException if the message is malformed or of an unknown type
     */
    public PgOutputMessage decode(ByteBuffer message) {
        Objects.requireNonNull(message, "message");
        WireReader in = new WireReader(message);
        if (!in.hasRemaining()) {
            throw in.error("empty pgoutput message");
        }
        MessageType type = MessageType.forType((char) in.uint8());
        in.describing(type);
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
        };
        in.expectEnd();
        return decoded;
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

    private static PgOutputMessage handleRelation(WireReader in) {
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
        return new PgOutputMessage.Relation(relationId, namespace, name, identity, columns);
    }

    private static PgOutputMessage handleType(WireReader in) {
        return new PgOutputMessage.Type(in.uint32(), namespace(in), in.string());
    }

    /** PostgreSQL abbreviates pg_catalog as the empty string; its own reader expands it too. */
    private static String namespace(WireReader in) {
        String namespace = in.string();
        return namespace.isEmpty() ? "pg_catalog" : namespace;
    }

    private static PgOutputMessage handleInsert(WireReader in) {
        long relationId = in.uint32();
        expectTag(in, 'N');
        return new PgOutputMessage.Insert(relationId, tuple(in));
    }

    private static PgOutputMessage handleUpdate(WireReader in) {
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
        return new PgOutputMessage.Update(relationId, oldKey, oldTuple, tuple(in));
    }

    private static PgOutputMessage handleDelete(WireReader in) {
        long relationId = in.uint32();
        int at = in.offset();
        int tag = in.uint8();
        if (tag == 'K') {
            return new PgOutputMessage.Delete(relationId, tuple(in), null);
        }
        if (tag == 'O') {
            return new PgOutputMessage.Delete(relationId, null, tuple(in));
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

    private static PgOutputMessage handleTruncate(WireReader in) {
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
        return new PgOutputMessage.Truncate(options, relationIds);
    }

    private static PgOutputMessage handleMessage(WireReader in) {
        boolean transactional = (in.uint8() & 1) != 0;
        Lsn lsn = in.lsn();
        String prefix = in.string();
        byte[] content = in.bytes(in.int32());
        return new PgOutputMessage.Message(transactional, lsn, prefix, content);
    }
}
