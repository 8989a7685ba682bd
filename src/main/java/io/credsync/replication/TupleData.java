package io.credsync.replication;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The column values of one row as pgoutput sends them ("TupleData"), in the order of the
 * columns of the last {@link PgOutputMessage.Relation} message for the table.
 *
 * <p>Each column is SQL NULL, an unchanged TOAST value (PostgreSQL did not send it), text (the
 * type's output function, decoded from UTF-8), or binary (the type's send function; only with
 * the {@code binary} option).
 *
 * <p>Immutable and thread-safe. Accessors never return internal arrays. {@link #toString()}
 * shows the kinds and sizes of the values but never the values: rows of the outbox hold
 * envelopes, and logs must not.
 */
public final class TupleData {

    /** How a column's value was sent. */
    public enum Kind {
        NULL('n'),
        UNCHANGED_TOAST('u'),
        TEXT('t'),
        BINARY('b');

        private final char code;

        Kind(char code) {
            this.code = code;
        }

        /** The byte on the wire. */
        public char code() {
            return code;
        }
    }

    private final Kind[] kinds;
    /** A String for TEXT, a byte[] for BINARY, null otherwise. */
    private final Object[] values;

    private TupleData(Kind[] kinds, Object[] values) {
        this.kinds = kinds;
        this.values = values;
    }

    /** Starts an empty row; the decoder and tests use it. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of columns. */
    public int size() {
        return kinds.length;
    }

    /** How column {@code index} (0-based) was sent. */
    public Kind kind(int index) {
        return kinds[Objects.checkIndex(index, kinds.length)];
    }

    /** The kinds of all columns, in order; an unmodifiable list. */
    public List<Kind> kinds() {
        return List.of(kinds);
    }

    public boolean isNull(int index) {
        return kind(index) == Kind.NULL;
    }

    public boolean isUnchangedToast(int index) {
        return kind(index) == Kind.UNCHANGED_TOAST;
    }

    /**
     * The text of column {@code index} (0-based).
     *
     * @return the value, or {@code null} if the column is SQL NULL
     * @throws IllegalStateException if the column is binary or an unchanged TOAST value, whose
     *     text we do not have
     */
    public String text(int index) {
        return (String) value(index, Kind.TEXT);
    }

    /**
     * The bytes of binary column {@code index} (0-based), copied.
     *
     * @return the value, or {@code null} if the column is SQL NULL
     * @throws IllegalStateException if the column is text or an unchanged TOAST value
     */
    public byte[] binary(int index) {
        byte[] bytes = (byte[]) value(index, Kind.BINARY);
        return bytes == null ? null : bytes.clone();
    }

    private Object value(int index, Kind wanted) {
        Kind kind = kind(index);
        if (kind == Kind.NULL) {
            return null;
        }
        if (kind != wanted) {
            throw new IllegalStateException(
                    "column " + index + " is " + kind + ", not " + wanted);
        }
        return values[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TupleData other
                && Arrays.equals(kinds, other.kinds)
                && Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kinds) + Arrays.deepHashCode(values);
    }

    /** For example {@code TupleData[text(36), null, unchanged-toast, binary(4)]}. */
    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(", ", "TupleData[", "]");
        for (int i = 0; i < kinds.length; i++) {
            switch (kinds[i]) {
                case NULL -> joiner.add("null");
                case UNCHANGED_TOAST -> joiner.add("unchanged-toast");
                case TEXT -> joiner.add("text(" + ((String) values[i]).length() + ")");
                case BINARY -> joiner.add("binary(" + ((byte[]) values[i]).length + ")");
            }
        }
        return joiner.toString();
    }

    /** Appends columns in order. Not thread-safe; use one builder per row. */
    public static final class Builder {
        private final List<Kind> kinds = new ArrayList<>();
        private final List<Object> values = new ArrayList<>();

        private Builder() {
        }

        public Builder nullValue() {
            return add(Kind.NULL, null);
        }

        public Builder unchangedToast() {
            return add(Kind.UNCHANGED_TOAST, null);
        }

        public Builder text(String value) {
            return add(Kind.TEXT, Objects.requireNonNull(value, "value"));
        }

        /** Copies {@code value}. */
        public Builder binary(byte[] value) {
            return add(Kind.BINARY, Objects.requireNonNull(value, "value").clone());
        }

        private Builder add(Kind kind, Object value) {
            kinds.add(kind);
            values.add(value);
            return this;
        }

        public TupleData build() {
            return new TupleData(kinds.toArray(new Kind[0]), values.toArray());
        }
    }
}
