package io.credsync.replication;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A bounds-checked cursor over one pgoutput message, reading PostgreSQL's wire types
 * (big-endian integers, NUL-terminated UTF-8 strings) and turning every overrun into a
 * {@link PgOutputDecodeException} that names the message type and offset, instead of a bare
 * {@code BufferUnderflowException}.
 *
 * <p>Reads a private duplicate of the caller's buffer, so the caller's position, limit and
 * byte order are untouched; every value it returns is copied out of the buffer. Used by one
 * thread for one message, then dropped.
 */
final class WireReader {

    /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final ByteBuffer buf;
    private final int start;
    private String what = "pgoutput message";
    private CharsetDecoder utf8;

    WireReader(ByteBuffer message) {
        this.buf = message.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.start = buf.position();
    }

    /** Names the message being read, for error messages. */
    void describing(MessageType type) {
        this.what = type.label() + " message";
    }

    /** Offset from the message's first byte (its type byte). */
    int offset() {
        return buf.position() - start;
    }

    boolean hasRemaining() {
        return buf.hasRemaining();
    }

    int uint8() {
        require(1);
        return buf.get() & 0xFF;
    }

    int uint16() {
        require(2);
        return buf.getShort() & 0xFFFF;
    }

    int int32() {
        require(4);
        return buf.getInt();
    }

    /** An unsigned 32-bit value: an OID or a transaction id. */
    long uint32() {
        return Integer.toUnsignedLong(int32());
    }

    long int64() {
        require(8);
        return buf.getLong();
    }

    Lsn lsn() {
        return Lsn.of(int64());
    }

    /** A {@code TimestampTz}: microseconds since 2000-01-01 UTC. */
    Instant timestamp() {
        long micros = int64();
        return Instant.ofEpochSecond(
                PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** A NUL-terminated UTF-8 string; the NUL is consumed. */
    String string() {
        int at = offset();
        int end = buf.position();
        while (end < buf.limit() && buf.get(end) != 0) {
            end++;
        }
        if (end == buf.limit()) {
            throw error("truncated " + what + ": string at offset " + at + " has no terminating NUL");
        }
        String value = utf8(buf.position(), end - buf.position(), at);
        buf.position(end + 1);
        return value;
    }

    /** {@code length} bytes decoded as UTF-8. */
    String text(int length) {
        int at = offset();
        require(length);
        String value = utf8(buf.position(), length, at);
        buf.position(buf.position() + length);
        return value;
    }

    /** {@code length} bytes, copied. */
    byte[] bytes(int length) {
        require(length);
        byte[] copy = new byte[length];
        buf.get(copy);
        return copy;
    }

    /** Fails if bytes remain: a longer message than we know means we misread it. */
    void expectEnd() {
        if (buf.hasRemaining()) {
            throw error(what + " has " + buf.remaining() + " unexpected trailing bytes at offset "
                    + offset());
        }
    }

    PgOutputDecodeException error(String message) {
        return new PgOutputDecodeException(message);
    }

    /** For field-level checks by the decoder: "<what> at offset n: problem". */
    PgOutputDecodeException invalid(int at, String problem) {
        return new PgOutputDecodeException(what + " at offset " + at + ": " + problem);
    }

    private void require(int length) {
        if (length < 0) {
            throw invalid(offset(), "negative length " + length);
        }
        if (buf.remaining() < length) {
            throw error("truncated " + what + ": needs " + length + " bytes at offset " + offset()
                    + ", only " + buf.remaining() + " remain");
        }
    }

    private String utf8(int absolute, int length, int at) {
        if (utf8 == null) {
            // Strict: a replacement character in a role name would sync the wrong secret.
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            return utf8.decode(buf.slice(absolute, length)).toString();
        } catch (CharacterCodingException e) {
            throw new PgOutputDecodeException(
                    what + " at offset " + at + ": invalid UTF-8 in a " + length + "-byte string", e);
        }
    }
}
