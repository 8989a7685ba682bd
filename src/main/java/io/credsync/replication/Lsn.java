package io.credsync.replication;

import java.util.Objects;
import java.util.regex.Pattern;
import org.postgresql.replication.LogSequenceNumber;

/**
 * A position in PostgreSQL's write-ahead log: an unsigned 64-bit byte offset, printed as
 * {@code XXXXXXXX/XXXXXXXX} (high and low 32 bits in hexadecimal), as {@code pg_lsn} does.
 *
 * <p>Values are compared as unsigned numbers, so an LSN above {@link Long#MAX_VALUE} still
 * orders after every smaller position. {@link #INVALID} (0) is PostgreSQL's
 * {@code InvalidXLogRecPtr}: "no position".
 *
 * <p>Immutable and thread-safe. No method accepts or returns {@code null}.
 */
public final class Lsn implements Comparable<Lsn> {

    /** PostgreSQL's {@code InvalidXLogRecPtr}: no position. */
    public static final Lsn INVALID = new Lsn(0L);

    /** pg_lsn's input form; ASCII only, unlike {@link Character#digit}. */
    private static final Pattern TEXT_FORM = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    private final long value;

    private Lsn(long value) {
        this.value = value;
    }

    /** The LSN whose unsigned 64-bit value has the bits of {@code value}. */
    public static Lsn of(long value) {
        return value == 0L ? INVALID : new Lsn(value);
    }

    /**
     * Parses PostgreSQL's text form, {@code "16/B374D848"}: two groups of 1 to 8 hexadecimal
     * digits (either case) separated by a slash.
     *
     * @throws IllegalArgumentException if {@code text} is not in that form. PgJDBC's
     *     {@code LogSequenceNumber.valueOf}, which does the conversion once the form is checked,
     *     would instead turn some bad input into the invalid LSN (a mistyped start position must
     *     not silently mean "from the slot's start"), throw on others, and cut longer groups.
     */
    public static Lsn parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!TEXT_FORM.matcher(text).matches()) {
            throw new IllegalArgumentException("LSN must look like 16/B374D848, got: " + text);
        }
        return of(LogSequenceNumber.valueOf(text).asLong());
    }

    /** Converts from PgJDBC's type. */
    public static Lsn fromPg(LogSequenceNumber lsn) {
        return of(Objects.requireNonNull(lsn, "lsn").asLong());
    }

    /** Converts to PgJDBC's type, for {@code PGReplicationStream.setFlushedLSN} and friends. */
    public LogSequenceNumber toPg() {
        return LogSequenceNumber.valueOf(value);
    }

    /** The raw 64 bits; read them as unsigned. */
    public long asLong() {
        return value;
    }

    /** Whether this is a real position, not {@link #INVALID}. */
    public boolean isValid() {
        return value != 0L;
    }

    /** Whether this position comes strictly after {@code other}. */
    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    /** Whether this position comes strictly before {@code other}. */
    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    /** The later of two positions ({@code a} when they are equal). */
    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * How many bytes of WAL this position trails {@code ahead}: {@code ahead - this}, 0 when
     * this position is at or after {@code ahead}, and {@link Long#MAX_VALUE} if the distance
     * does not fit a signed long. Used for lag: {@code confirmed.bytesBehind(serverEnd)}.
     */
    public long bytesBehind(Lsn ahead) {
        if (compareTo(ahead) >= 0) {
            return 0L;
        }
        long distance = ahead.value - value;
        // Wrapped below zero: the distance is above 2^63 - 1 bytes (only with absurd inputs).
        return distance < 0 ? Long.MAX_VALUE : distance;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lsn other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** PostgreSQL's form, upper-case hexadecimal without leading zeros: {@code 16/B374D848}. */
    @Override
    public String toString() {
        return toPg().asString();
    }
}
