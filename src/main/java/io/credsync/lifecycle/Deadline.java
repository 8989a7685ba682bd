package io.credsync.lifecycle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A moment on the monotonic clock by which something must be done: the shutdown deadline that
 * {@code credsync run} sets when SIGTERM arrives and passes down to every component. Each wait
 * during shutdown takes what is left of it ({@link #remaining()}), never a fixed timeout of its
 * own, so that the waits together cannot exceed it, however many components there are.
 *
 * <p>Immutable and thread-safe.
 */
public final class Deadline {

    private final long atNanos;
    private final LongSupplier nanoTime;

    private Deadline(long atNanos, LongSupplier nanoTime) {
        this.atNanos = atNanos;
        this.nanoTime = nanoTime;
    }

    /** The deadline {@code budget} from now, on {@link System#nanoTime()}. */
    public static Deadline after(Duration budget) {
        return after(budget, System::nanoTime);
    }

    /** As {@link #after(Duration)}, on the given clock (tests). */
    static Deadline after(Duration budget, LongSupplier nanoTime) {
        Objects.requireNonNull(nanoTime, "nanoTime");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("a deadline's budget cannot be negative: " + budget);
        }
        return new Deadline(nanoTime.getAsLong() + budget.toNanos(), nanoTime);
    }

    /** What is left until the deadline; zero once it passed. */
    public Duration remaining() {
        long left = atNanos - nanoTime.getAsLong();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** Whether the deadline has passed. */
    public boolean passed() {
        return atNanos - nanoTime.getAsLong() <= 0;
    }

    /**
     * An earlier deadline, leaving {@code reserve} of this one for what must happen after: a
     * step that others follow gets this, so that it cannot use their time.
     */
    public Deadline reserving(Duration reserve) {
        if (reserve.isNegative()) {
            throw new IllegalArgumentException("a reserve cannot be negative: " + reserve);
        }
        return new Deadline(atNanos - reserve.toNanos(), nanoTime);
    }

    /**
     * Waits for {@code thread} to end, until the deadline at most.
     *
     * @return whether it ended
     */
    public boolean join(Thread thread) throws InterruptedException {
        long millis = remainingMillis();
        if (millis > 0) {
            thread.join(millis);
        }
        return !thread.isAlive();
    }

    /**
     * Waits for {@code executor}, already shut down, to finish its tasks, until the deadline at most.
     *
     * @return whether it finished
     */
    public boolean awaitTermination(ExecutorService executor) throws InterruptedException {
        return executor.awaitTermination(remaining().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** What is left, in whole milliseconds rounded up (so that a few nanoseconds left still wait). */
    public long remainingMillis() {
        long left = atNanos - nanoTime.getAsLong();
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(left + 999_999);
    }

    @Override
    public String toString() {
        return "Deadline[in " + remaining().toMillis() + " ms]";
    }
}
