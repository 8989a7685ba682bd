package io.credsync.replication;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** Builds pgoutput messages byte by byte, big-endian, the way PostgreSQL's pq_send* do. */
final class WireBuilder {

    private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Starts a message with its type byte ({@code int} so that tests can send any byte). */
    static WireBuilder message(int type) {
        return new WireBuilder().int8(type);
    }

    WireBuilder int8(int value) {
        out.write(value);
        return this;
    }

    WireBuilder int16(int value) {
        return int8(value >>> 8).int8(value);
    }

    /** Also takes unsigned 32-bit values (OIDs, xids) up to 0xFFFFFFFF. */
    WireBuilder int32(long value) {
        return int16((int) (value >>> 16)).int16((int) value);
    }

    WireBuilder int64(long value) {
        return int32(value >>> 32).int32(value);
    }

    WireBuilder lsn(String lsn) {
        return int64(Lsn.parse(lsn).asLong());
    }

    /** A TimestampTz: microseconds since 2000-01-01 UTC. */
    WireBuilder timestamp(Instant instant) {
        Duration since = Duration.between(PG_EPOCH, instant);
        return int64(since.getSeconds() * 1_000_000L + since.getNano() / 1_000);
    }

    /** UTF-8 and a terminating NUL. */
    WireBuilder string(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8)).int8(0);
    }

    WireBuilder bytes(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    /** A tuple column of kind 't': Int32 length, then the UTF-8 bytes. */
    WireBuilder textColumn(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return int8('t').int32(utf8.length).bytes(utf8);
    }

    WireBuilder binaryColumn(byte[] value) {
        return int8('b').int32(value.length).bytes(value);
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    /** A buffer at position 0 holding exactly the message. */
    ByteBuffer build() {
        return ByteBuffer.wrap(toBytes());
    }

    /**
     * The message in the middle of a larger buffer, as PgJDBC hands it out: junk before the
     * position and after the limit, so a decoder that ignores either is caught.
     */
    ByteBuffer buildInsideLargerBuffer() {
        byte[] message = toBytes();
        byte[] all = new byte[message.length + 10];
        java.util.Arrays.fill(all, (byte) 0x7F);
        System.arraycopy(message, 0, all, 5, message.length);
        return ByteBuffer.wrap(all, 5, message.length);
    }
}
