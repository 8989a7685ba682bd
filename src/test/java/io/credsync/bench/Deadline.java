package io.credsync.bench;

import java.time.Duration;

/**
 * A point in time a measuring loop must not pass: benchmarks fail with a message saying what did
 * not happen rather than hang the whole bench run.
 *
 * <p>Only for loops that time what they wait for ({@link SecretPoller}, {@link OutboxQueries},
 * {@link ConsumerEndpoints#awaitReady}, {@link IdleSlotBenchmark}): they poll every few
 * milliseconds on the caller's thread and take {@link System#nanoTime()} the moment the condition
 * holds. Plain waits use Awaitility, as the tests do.
 */
final class Deadline {

    private final long endNanos;
    private final Duration timeout;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.endNanos = System.nanoTime() + timeout.toNanos();
    }

    static Deadline in(Duration timeout) {
        return new Deadline(timeout);
    }

    boolean passed() {
        return System.nanoTime() - endNanos > 0;
    }

    /** Throws, naming {@code what} did not happen in time, once the deadline has passed. */
    void check(String what) {
        if (passed()) {
            throw new IllegalStateException(what + " did not happen within " + timeout);
        }
    }
}
