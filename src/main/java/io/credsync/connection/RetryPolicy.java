package io.credsync.connection;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, shared by reconnecting to the database and retrying AWS
 * calls: the wait before retry {@code n} is drawn uniformly from the upper half of
 * {@code min(max, initial * 2^n)}, so that instances that failed together do not come back in
 * lockstep, and no wait is shorter than half its step.
 *
 * <p>Immutable and thread-safe when the random generator passed in is.
 *
 * @param initial the first step; positive
 * @param max the largest step; at least {@code initial}
 */
public record RetryPolicy(Duration initial, Duration max) {

    public RetryPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** The wait before retry number {@code attempt}, counting from 0. */
    public Duration delay(int attempt, RandomGenerator random) {
        long maxNanos = max.toNanos();
        long step = initial.toNanos();
        for (int i = 0; i < attempt && step < maxNanos; i++) {
            step = step > maxNanos / 2 ? maxNanos : step * 2;
        }
        step = Math.min(step, maxNanos);
        long half = step / 2;
        return Duration.ofNanos(step - half + (half == 0 ? 0 : random.nextLong(half + 1)));
    }
}
