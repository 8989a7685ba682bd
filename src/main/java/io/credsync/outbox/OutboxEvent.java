package io.credsync.outbox;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code credsync.outbox}, as it arrives from the replication stream or from the
 * start-up scan of rows that have no delivery yet. Holds only what the table holds: the
 * envelope is still encrypted.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the row's id; events of one role are ordered by {@link #orderKey()}
 * @param eventId the change's identity
 * @param roleName the role whose password changed
 * @param kid the KMS key the envelope is encrypted to
 * @param envelope the JWE, compact serialization; never logged
 * @param replayOf the id of the original event when this row is a replay, else null
 * @param createdAt when the row was written (the capture time)
 */
public record OutboxEvent(long id, EventId eventId, String roleName, String kid, String envelope, Long replayOf,
        Instant createdAt) {

    public OutboxEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(roleName, "roleName");
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(createdAt, "createdAt");
        if (replayOf != null && replayOf >= id) {
            throw new IllegalArgumentException("a replay must follow its original: " + replayOf + " >= " + id);
        }
    }

    /**
     * The position of the password change among the role's changes: the original event's id,
     * so that replaying an old event never ranks it above a newer change.
     */
    public long orderKey() {
        return replayOf != null ? replayOf : id;
    }

    /** Everything but the envelope, which is ciphertext and has no place in a log line. */
    @Override
    public String toString() {
        return "OutboxEvent[id=" + id + ", eventId=" + eventId + ", role=" + roleName + ", kid=" + kid
                + (replayOf != null ? ", replayOf=" + replayOf : "") + ", createdAt=" + createdAt + "]";
    }
}
