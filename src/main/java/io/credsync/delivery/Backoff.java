package io.credsync.delivery;

import io.credsync.connection.RetryPolicy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery's waits between attempts: {@link RetryPolicy}'s delays, drawn from one random
 * generator shared by the delivery thread and the role threads, and the retrying of database
 * calls, which wait for the database for as long as it takes: the database is the record, and
 * without it nothing can be recorded.
 *
 * <p>Thread-safe: the generator, which is not, is only used under a lock. Arguments are non-null.
 */
final class Backoff {

    private static final Logger log = LoggerFactory.getLogger(Backoff.class);

    /** A database call, retried by {@link #untilAnswered}. */
    @FunctionalInterface
    interface DatabaseCall<T> {
        T call() throws SQLException;
    }

    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final Sleeper sleeper;

    Backoff(RetryPolicy retry, RandomGenerator random, Sleeper sleeper) {
        this.retry = Objects.requireNonNull(retry, "retry");
        this.random = Objects.requireNonNull(random, "random");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Runs {@code call} until it answers, waiting after each failure; a broken connection is
     * replaced by the pool it came from.
     *
     * @param what what is being done, for the log ("read delivery rows")
     * @throws InterruptedException when interrupted while waiting
     */
    <T> T untilAnswered(String what, DatabaseCall<T> call) throws InterruptedException {
        for (int attempt = 0;; attempt++) {
            try {
                return call.call();
            } catch (SQLException e) {
                Duration delay = delay(attempt);
                log.warn("cannot {} (SQLState {}); retrying in {} ms", what, e.getSQLState(), delay.toMillis());
                sleeper.sleep(delay);
            }
        }
    }

    /**
     * Waits before retry number {@code attempt} (counting from 1) after {@code service} answered
     * {@code errorCode}, and logs it.
     */
    void pause(int attempt, String service, String errorCode) throws InterruptedException {
        Duration delay = delay(attempt - 1);
        log.warn("{} answered {}; retrying in {} ms", service, errorCode, delay.toMillis());
        sleeper.sleep(delay);
    }

    /** Waits {@code duration}; for waits that are not retries (a row not yet visible). */
    void sleep(Duration duration) throws InterruptedException {
        sleeper.sleep(duration);
    }

    private Duration delay(int attempt) {
        synchronized (random) {
            return retry.delay(attempt, random);
        }
    }
}
