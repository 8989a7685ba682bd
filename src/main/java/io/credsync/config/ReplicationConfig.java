package io.credsync.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code replication} section: the logical slot and publication credsync streams from,
 * and the timing of the stream.
 *
 * <p>Immutable and thread-safe. No component is null; durations are positive.
 *
 * @param slot the logical replication slot (pgoutput)
 * @param publication the publication of {@code credsync.outbox}
 * @param statusInterval how often to send the server a status update; keep it well under the
 *     server's {@code wal_sender_timeout} (60 s by default)
 * @param reconnectInitial first wait before reconnecting after the stream breaks
 * @param reconnectMax longest wait between reconnection attempts; at least {@code reconnectInitial}
 */
public record ReplicationConfig(
        String slot,
        String publication,
        Duration statusInterval,
        Duration reconnectInitial,
        Duration reconnectMax) {

    static final List<String> KEYS = List.of("slot", "publication", "status_interval",
            "reconnect_initial", "reconnect_max");

    /** PostgreSQL's own rule for slot names (ReplicationSlotValidateName), with NAMEDATALEN 64. */
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");

    /**
     * An identifier that needs no quoting, so that it reads the same in every statement and
     * replication command that names it.
     */
    private static final Pattern PUBLICATION = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public ReplicationConfig {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(publication, "publication");
        Objects.requireNonNull(statusInterval, "statusInterval");
        Objects.requireNonNull(reconnectInitial, "reconnectInitial");
        Objects.requireNonNull(reconnectMax, "reconnectMax");
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static ReplicationConfig read(Section s) {
        String slot = s.nonBlank("slot", "credsync");
        if (!SLOT.matcher(slot).matches()) {
            s.problem(s.scalar("slot").orElseThrow(), "must be 1 to 63 lower-case letters, digits"
                    + " or underscores (a PostgreSQL replication slot name), got " + slot);
        }
        String publication = s.nonBlank("publication", "credsync_outbox");
        if (!PUBLICATION.matcher(publication).matches()) {
            s.problem(s.scalar("publication").orElseThrow(), "must be 1 to 63 lower-case letters, digits"
                    + " or underscores, not starting with a digit, got " + publication);
        }
        Duration statusInterval = s.duration("status_interval", Duration.ofSeconds(10));
        Duration reconnectInitial = s.duration("reconnect_initial", Duration.ofSeconds(1));
        Duration reconnectMax = s.duration("reconnect_max", Duration.ofSeconds(10));
        Backoffs.check(s, "reconnect_initial", reconnectInitial, "reconnect_max", reconnectMax);
        return s.failed() ? null
                : new ReplicationConfig(slot, publication, statusInterval, reconnectInitial, reconnectMax);
    }
}
