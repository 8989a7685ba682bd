package io.credsync.replication;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One decoded pgoutput message, as PostgreSQL sends it with protocol version 1 (the only
 * version credsync requests: no streaming of in-progress transactions, no two-phase).
 *
 * <p>Conventions for all records:
 * <ul>
 *   <li>Transaction ids and OIDs are unsigned 32-bit values held in a {@code long}.</li>
 *   <li>Timestamps are PostgreSQL's {@code TimestampTz} converted to an {@link Instant}.</li>
 *   <li>No component is {@code null} except where a record says so.</li>
 * </ul>
 *
 * <p>All records are immutable and thread-safe; those holding bytes copy them in and out.
 */
public sealed interface PgOutputMessage {

    /** The type byte this message was decoded from. */
    MessageType type();

    /** A transaction begins; its changes follow, then a {@link Commit}. */
    record Begin(Lsn finalLsn, Instant commitTime, long xid) implements PgOutputMessage {
        public Begin {
            Objects.requireNonNull(finalLsn, "finalLsn");
            Objects.requireNonNull(commitTime, "commitTime");
        }

        @Override
        public MessageType type() {
            return MessageType.BEGIN;
        }
    }

    /**
     * A transaction committed. {@code endLsn} is the position to confirm once its changes
     * are durably handled; {@code flags} is unused by PostgreSQL 15 (always 0).
     */
    record Commit(int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime) implements PgOutputMessage {
        public Commit {
            Objects.requireNonNull(commitLsn, "commitLsn");
            Objects.requireNonNull(endLsn, "endLsn");
            Objects.requireNonNull(commitTime, "commitTime");
        }

        @Override
        public MessageType type() {
            return MessageType.COMMIT;
        }
    }

    /** The transaction came from replication origin {@code name}, at {@code originLsn} there. */
    record Origin(Lsn originLsn, String name) implements PgOutputMessage {
        public Origin {
            Objects.requireNonNull(originLsn, "originLsn");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public MessageType type() {
            return MessageType.ORIGIN;
        }
    }

    /** A table's {@code REPLICA IDENTITY} setting ({@code pg_class.relreplident}). */
    enum ReplicaIdentity {
        DEFAULT('d'),
        NOTHING('n'),
        FULL('f'),
        INDEX('i');

        private final char code;

        ReplicaIdentity(char code) {
            this.code = code;
        }

        public char code() {
            return code;
        }

        /** @return the setting for {@code code}, or {@code null} if there is none */
        static ReplicaIdentity forCode(int code) {
            for (ReplicaIdentity identity : values()) {
                if (identity.code == code) {
                    return identity;
                }
            }
            return null;
        }
    }

    /**
     * A column of a {@link Relation}. {@code flags} bit 1 marks a replica-identity (key)
     * column; {@code typeModifier} is {@code atttypmod}, -1 when the type has none.
     */
    record Column(int flags, String name, long typeOid, int typeModifier) {
        public Column {
            Objects.requireNonNull(name, "name");
        }

        /** Whether the column is part of the replica identity (the key of Update/Delete). */
        public boolean isKey() {
            return (flags & 1) != 0;
        }
    }

    /**
     * Describes a table before the first row change that uses it (and again after it
     * changes). {@code namespace} is the schema, {@code "pg_catalog"} when the wire carries
     * the empty string PostgreSQL uses to abbreviate it. {@code columns} is unmodifiable and
     * excludes dropped and generated columns, like every TupleData of this table.
     */
    record Relation(long relationId, String namespace, String name,
            ReplicaIdentity replicaIdentity, List<Column> columns) implements PgOutputMessage {
        public Relation {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(replicaIdentity, "replicaIdentity");
            columns = List.copyOf(columns);
        }

        @Override
        public MessageType type() {
            return MessageType.RELATION;
        }
    }

    /** Names a non-built-in type used by a following Relation; namespace as in {@link Relation}. */
    record Type(long typeOid, String namespace, String name) implements PgOutputMessage {
        public Type {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public MessageType type() {
            return MessageType.TYPE;
        }
    }

    /** A row was inserted into {@code relationId}. */
    record Insert(long relationId, TupleData newTuple) implements PgOutputMessage {
        public Insert {
            Objects.requireNonNull(newTuple, "newTuple");
        }

        @Override
        public MessageType type() {
            return MessageType.INSERT;
        }
    }

    /**
     * A row was updated. At most one of {@code oldKey} (the old replica-identity columns,
     * wire 'K') and {@code oldTuple} (the whole old row under {@code REPLICA IDENTITY FULL},
     * wire 'O') is non-null; both are {@code null} when the key did not change.
     */
    record Update(long relationId, TupleData oldKey, TupleData oldTuple, TupleData newTuple)
            implements PgOutputMessage {
        public Update {
            Objects.requireNonNull(newTuple, "newTuple");
            if (oldKey != null && oldTuple != null) {
                throw new IllegalArgumentException("an Update carries an old key or an old tuple, not both");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.UPDATE;
        }
    }

    /**
     * A row was deleted. Exactly one of {@code oldKey} (wire 'K') and {@code oldTuple}
     * (wire 'O', {@code REPLICA IDENTITY FULL}) is non-null.
     */
    record Delete(long relationId, TupleData oldKey, TupleData oldTuple) implements PgOutputMessage {
        public Delete {
            if ((oldKey == null) == (oldTuple == null)) {
                throw new IllegalArgumentException("a Delete carries exactly one of an old key and an old tuple");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.DELETE;
        }
    }

    /** Tables were truncated; {@code relationIds} is unmodifiable. */
    record Truncate(int options, List<Long> relationIds) implements PgOutputMessage {
        public Truncate {
            relationIds = List.copyOf(relationIds);
        }

        /** {@code TRUNCATE ... CASCADE}. */
        public boolean cascade() {
            return (options & 1) != 0;
        }

        /** {@code TRUNCATE ... RESTART IDENTITY}. */
        public boolean restartIdentity() {
            return (options & 2) != 0;
        }

        @Override
        public MessageType type() {
            return MessageType.TRUNCATE;
        }
    }

    /**
     * A message written with {@code pg_logical_emit_message}. {@code content} is copied in and
     * out; {@link #toString()} shows its length only.
     */
    record Message(boolean transactional, Lsn lsn, String prefix, byte[] content)
            implements PgOutputMessage {
        public Message {
            Objects.requireNonNull(lsn, "lsn");
            Objects.requireNonNull(prefix, "prefix");
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public MessageType type() {
            return MessageType.MESSAGE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message other
                    && transactional == other.transactional
                    && lsn.equals(other.lsn)
                    && prefix.equals(other.prefix)
                    && Arrays.equals(content, other.content);
        }

        @Override
        public int hashCode() {
            return Objects.hash(transactional, lsn, prefix, Arrays.hashCode(content));
        }

        @Override
        public String toString() {
            return "Message[transactional=" + transactional + ", lsn=" + lsn
                    + ", prefix=" + prefix + ", content=" + content.length + " bytes]";
        }
    }
}
