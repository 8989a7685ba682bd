package io.credsync.replication;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link ReplicationSource} streams: an immutable, validated value.
 *
 * @param slotName the logical replication slot: 1 to 63 lower-case letters, digits and
 *     underscores, as PostgreSQL requires
 * @param publicationName the publication of {@code credsync.outbox}, {@value #DEFAULT_PUBLICATION}
 *     unless changed: a lower-case identifier (it goes into the pgoutput options unquoted)
 * @param statusInterval how often, at least, a status update goes to the server while the
 *     stream is quiet, and so the longest the replication thread sleeps; keep it well below the
 *     server's {@code wal_sender_timeout} (60 s by default). A delivery finished while the
 *     stream is quiet is confirmed to the slot within it
 * @param initialBackoff the first wait before reconnecting after a failure
 * @param maxBackoff the longest wait between attempts; a standby instance waiting for the slot
 *     takes over at most this long after it is released
 */
public record ReplicationSettings(String slotName, String publicationName, Duration statusInterval,
        Duration initialBackoff, Duration maxBackoff) {

    /** The publication the credsync extension creates. */
    public static final String DEFAULT_PUBLICATION = "credsync_outbox";

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final Pattern PUBLICATION_NAME = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");
    private static final Duration MIN_STATUS_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_STATUS_INTERVAL = Duration.ofMinutes(10);

    /** Validates; no argument may be null. */
    public ReplicationSettings {
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(publicationName, "publicationName");
        Objects.requireNonNull(statusInterval, "statusInterval");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (!SLOT_NAME.matcher(slotName).matches()) {
            throw new IllegalArgumentException("slot name must be 1 to 63 lower-case letters, digits or underscores: "
                    + slotName);
        }
        if (!PUBLICATION_NAME.matcher(publicationName).matches()) {
            throw new IllegalArgumentException("publication name must be a lower-case identifier: " + publicationName);
        }
        if (statusInterval.compareTo(MIN_STATUS_INTERVAL) < 0 || statusInterval.compareTo(MAX_STATUS_INTERVAL) > 0) {
            throw new IllegalArgumentException("status interval must be between " + MIN_STATUS_INTERVAL + " and "
                    + MAX_STATUS_INTERVAL + ": " + statusInterval);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive: " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("max backoff " + maxBackoff + " is below the initial backoff "
                    + initialBackoff);
        }
    }

    /**
     * Settings for {@code slotName} with the defaults: publication {@value #DEFAULT_PUBLICATION},
     * a status update at least every 10 s while the stream is quiet (PgJDBC's default; a server
     * that closes the connection is noticed at once, whatever the interval), reconnects after
     * 1 s growing to 30 s.
     */
    public static ReplicationSettings defaults(String slotName) {
        return new ReplicationSettings(slotName, DEFAULT_PUBLICATION, Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** A copy with another status interval. */
    public ReplicationSettings withStatusInterval(Duration interval) {
        return new ReplicationSettings(slotName, publicationName, interval, initialBackoff, maxBackoff);
    }

    /** A copy with other reconnect waits. */
    public ReplicationSettings withBackoff(Duration initial, Duration max) {
        return new ReplicationSettings(slotName, publicationName, statusInterval, initial, max);
    }

    /** A copy with another publication. */
    public ReplicationSettings withPublication(String publication) {
        return new ReplicationSettings(slotName, publication, statusInterval, initialBackoff, maxBackoff);
    }
}
