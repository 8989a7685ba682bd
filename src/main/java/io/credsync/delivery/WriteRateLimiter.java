package io.credsync.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The ceiling on secret writes ({@code secrets.max_writes_per_second}): a token bucket one token
 * deep, refilled at the ceiling's rate. A write takes a token first, waiting until one is free:
 * a lone change, finding the bucket full, never waits; in a burst, writes start one interval
 * (a second divided by the ceiling) apart. Why one token deep: a deeper bucket would let its
 * depth of writes out at once on top of a second's refill, and Secrets Manager's quota (50
 * PutSecretValue and UpdateSecret calls a second per Region, shared by every application of the
 * account) is counted per second. The interval is 2 % longer than a second divided by the
 * ceiling: the time from the gate to the request reaching AWS varies by a few milliseconds, and
 * with writes exactly one interval apart that alone would now and then put one write more into
 * some second. So no second-long window ever holds more writes than the ceiling.
 *
 * <p>Thread-safe: the role threads of a delivery round share one. A thread interrupted while it
 * waits gives up its token (the next waiter is not moved forward, which errs on the side of
 * fewer writes).
 */
public final class WriteRateLimiter {

    /** A second and 2 %: see the class comment. */
    private static final long NANOS_PER_SECOND_WITH_MARGIN = 1_020_000_000L;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    /** When the next token is free, on {@link #nanoClock}; guarded by {@code this}. */
    private long nextFreeNanos;

    /**
     * @param perSecond the ceiling, writes per second; 0 means no limit
     * @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime}
     * @param sleeper how to wait
     */
    public WriteRateLimiter(int perSecond, LongSupplier nanoClock, Sleeper sleeper) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("the write ceiling must not be negative: " + perSecond);
        }
        this.intervalNanos = perSecond == 0 ? 0 : NANOS_PER_SECOND_WITH_MARGIN / perSecond;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.nextFreeNanos = nanoClock.getAsLong();
    }

    /** No ceiling: {@link #acquire} never waits. */
    public static WriteRateLimiter unlimited() {
        return new WriteRateLimiter(0, () -> 0, Sleeper.SYSTEM);
    }

    /**
     * Takes a token, waiting until one is free.
     *
     * @return how long it waited; zero when a token was free
     * @throws InterruptedException if interrupted while waiting; the token is then not taken
     */
    public Duration acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return Duration.ZERO;
        }
        long wait;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            long slot = Math.max(nextFreeNanos, now);
            nextFreeNanos = slot + intervalNanos;
            wait = slot - now;
        }
        if (wait > 0) {
            // Rounded up to whole milliseconds, as sleeps are, so that no write starts before its slot.
            sleeper.sleep(Duration.ofMillis((wait + 999_999) / 1_000_000));
        }
        return Duration.ofNanos(wait);
    }
}
