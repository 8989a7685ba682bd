package io.credsync.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One database's outbox backlog, as read at one moment.
 *
 * <p>Immutable and thread-safe. {@code oldestPendingAge} is null when nothing is pending; the
 * rest is never null.
 *
 * @param pendingEvents outbox rows without a delivery row
 * @param oldestPendingAge how old the oldest of them was when read, by the server's clock
 * @param failedEvents failed or rejected events that still need action (the
 *     {@code credsync.failed_event} view, which leaves out dismissed and replayed events and
 *     those whose role has synced a newer change since)
 * @param readAt when it was read, by the reader's clock
 */
public record BacklogFigures(long pendingEvents, Duration oldestPendingAge, long failedEvents, Instant readAt) {

    public BacklogFigures {
        Objects.requireNonNull(readAt, "readAt");
    }

    /**
     * The oldest pending event's age at {@code now}: as read, plus the time since, so that an age
     * keeps growing between reads (measured on one clock, so no skew between the server's and ours).
     */
    public Duration oldestPendingAgeAt(Instant now) {
        if (oldestPendingAge == null) {
            return null;
        }
        Duration since = Duration.between(readAt, now);
        return since.isNegative() ? oldestPendingAge : oldestPendingAge.plus(since);
    }
}
