package io.credsync.replication;

import io.credsync.connection.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The reconnect attempts' {@link RetryPolicy}, counting the attempts since the last
 * {@link #reset()}.
 *
 * <p>Not thread-safe: owned by the replication thread.
 */
final class ReconnectBackoff {

    private final RetryPolicy policy;
    private final RandomGenerator random;
    private int attempt;

    ReconnectBackoff(Duration initial, Duration max, RandomGenerator random) {
        this.policy = new RetryPolicy(initial, max);
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The wait before the next attempt; each call doubles the step until it reaches the maximum. */
    Duration next() {
        Duration wait = policy.delay(attempt, random);
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return wait;
    }

    /** Starts again from the initial wait, after a connection proved healthy. */
    void reset() {
        attempt = 0;
    }

    /** How many waits were handed out since the last reset. */
    int attempts() {
        return attempt;
    }
}
