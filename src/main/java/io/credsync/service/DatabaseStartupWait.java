package io.credsync.service;

import io.credsync.connection.RetryPolicy;
import io.credsync.install.SqlErrors;
import io.credsync.replication.SqlStateClassifier;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the consumer's first database steps until the database takes them, so that a consumer
 * started while PostgreSQL starts, restarts or fails over (or before it, in a compose file)
 * waits for it instead of exiting: a failure that means "not reachable now" (see
 * {@link SqlStateClassifier#isTemporarilyUnavailable}) is retried with exponential backoff and
 * jitter, every other failure (wrong credentials, no such database, a privilege missing) ends the
 * wait at once. The wait is bounded by {@code database.startup_timeout}, counted from the first
 * attempt (not from the JVM's start, whose pace depends on the machine); an attempt in progress
 * may overrun it by up to {@code database.connect_timeout}.
 *
 * <p>{@link #run} is called by the thread that starts the service; {@link #stop} by any.
 */
final class DatabaseStartupWait {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStartupWait.class);

    /** A start-up step on the database; {@code E} is what it throws besides {@link SQLException}. */
    interface Step<E extends Exception> {
        void run() throws SQLException, E;
    }

    private final String database;
    private final Duration timeout;
    private final RetryPolicy backoff;
    private final RandomGenerator random;
    private final LongSupplier nanoTime;
    /** When the first attempt began; set by {@link #run}. */
    private long firstAttemptNanos;
    private boolean attempted;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private int attempt;

    /**
     * @param database the database, for the log and messages: host, port, name and user, never
     *     the password
     * @param timeout how long to wait in all, from the first attempt
     * @param backoff the waits between attempts
     */
    DatabaseStartupWait(String database, Duration timeout, RetryPolicy backoff, RandomGenerator random,
            LongSupplier nanoTime) {
        this.database = Objects.requireNonNull(database, "database");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.random = Objects.requireNonNull(random, "random");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Runs {@code step} until it succeeds, waiting out temporary unavailability.
     *
     * @param what what the step does, for the log: "to create the replication slot"
     * @return true when the step succeeded; false when {@link #stop} was called first
     * @throws SQLException the step's failure when it is not temporary: the caller reports it
     * @throws DatabaseUnavailableException when the database stayed unavailable past the timeout
     * @throws E the step's own failure
     */
    <E extends Exception> boolean run(String what, Step<E> step)
            throws SQLException, DatabaseUnavailableException, InterruptedException, E {
        if (!attempted) {
            attempted = true;
            firstAttemptNanos = nanoTime.getAsLong();
        }
        while (stopped.getCount() > 0) {
            try {
                step.run();
                if (attempt > 0) {
                    log.info("the database {} answers; starting", database);
                    attempt = 0;
                }
                return true;
            } catch (SQLException e) {
                if (!SqlStateClassifier.isTemporarilyUnavailable(e)) {
                    throw e;
                }
                long left = firstAttemptNanos + timeout.toNanos() - nanoTime.getAsLong();
                if (left <= 0) {
                    throw new DatabaseUnavailableException("the database " + database + " did not take connections"
                            + " within database.startup_timeout (" + timeout + "); the last attempt " + what
                            + " failed: " + SqlErrors.problem(e) + ". Check database.host and database.port, or"
                            + " raise database.startup_timeout if the database takes longer to start", e);
                }
                Duration wait = backoff.delay(attempt++, random);
                wait = wait.toNanos() > left ? Duration.ofNanos(left) : wait;
                log.warn("waiting for the database {} {}: {}; trying again in {} ms (for at most {} more,"
                        + " database.startup_timeout)", database, what, SqlErrors.problem(e), wait.toMillis(),
                        Duration.ofNanos(left).withNanos(0));
                stopped.await(wait.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        return false;
    }

    /** Ends a wait in progress, and any later one, at once: {@link #run} returns false. Any thread. */
    void stop() {
        stopped.countDown();
    }
}
