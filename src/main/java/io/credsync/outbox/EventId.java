package io.credsync.outbox;

import java.util.Objects;
import java.util.UUID;

/**
 * The identity of one password change: the outbox row's {@code event_id}, carried inside the
 * encrypted payload too, and used as Secrets Manager's {@code ClientRequestToken} so that a
 * redelivered event writes no second secret version. A replayed event keeps its event id.
 *
 * <p>Immutable and thread-safe.
 */
public record EventId(UUID value) {

    public EventId {
        Objects.requireNonNull(value, "value");
    }

    /** @throws IllegalArgumentException if {@code text} is not a UUID */
    public static EventId parse(String text) {
        return new EventId(UUID.fromString(text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
