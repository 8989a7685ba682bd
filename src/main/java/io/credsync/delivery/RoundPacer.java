package io.credsync.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Paces the delivery thread's rounds during a burst. After a round of at least
 * {@link #BURST_EVENTS} events, the next round waits until no batch has come from the stream for
 * {@link #QUIET}, and at most {@link #MAX_WAIT} after the round ended, unless a full round is
 * already waiting. The changes committed meanwhile then coalesce into one secret write per role
 * instead of one per round. Why: in a burst, every round writes each role that changed during
 * the round before; fewer, fuller rounds mean fewer Secrets Manager writes (which its Region-wide
 * quota of 50 per second counts, for every application of the account) and less CPU taken from
 * the database that is still committing. A smaller round, such as the usual single change, is
 * followed by no wait, so its latency is unchanged; and once the stream has gone quiet, the last
 * changes of a burst wait only {@link #QUIET}.
 *
 * <p>{@link #accepted} is called by the replication thread; the rest by the delivery thread.
 */
final class RoundPacer {

    /** A round of this many events or more is a burst's. */
    static final int BURST_EVENTS = 10;
    /** How long the stream must bring nothing for a burst to count as over. */
    static final Duration QUIET = Duration.ofMillis(50);
    /** The longest wait between a burst's rounds. */
    static final Duration MAX_WAIT = Duration.ofSeconds(1);

    private final LongSupplier nanoClock;
    private volatile long lastAcceptedNanos;
    // Delivery thread only.
    private boolean waiting;
    private long waitEndsNanos;

    /** @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime} */
    RoundPacer(LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.lastAcceptedNanos = nanoClock.getAsLong();
    }

    /** A batch came from the stream. */
    void accepted() {
        lastAcceptedNanos = nanoClock.getAsLong();
    }

    /** A round of {@code events} events was delivered. */
    void roundEnded(int events) {
        waiting = events >= BURST_EVENTS;
        waitEndsNanos = nanoClock.getAsLong() + MAX_WAIT.toNanos();
    }

    /**
     * How much longer to wait before the next round: zero when the last round was not a burst's,
     * when {@code fullRoundWaiting}, when the stream has been quiet for {@link #QUIET}, or when
     * {@link #MAX_WAIT} has passed. Once zero, zero until the next {@link #roundEnded}.
     */
    Duration remainingWait(boolean fullRoundWaiting) {
        if (waiting && !fullRoundWaiting) {
            long now = nanoClock.getAsLong();
            long wait = Math.min(lastAcceptedNanos + QUIET.toNanos() - now, waitEndsNanos - now);
            if (wait > 0) {
                return Duration.ofNanos(wait);
            }
        }
        waiting = false;
        return Duration.ZERO;
    }
}
