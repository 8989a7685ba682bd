package io.credsync.status;

import io.credsync.connection.DatabaseConnector;
import io.credsync.lifecycle.Deadline;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the state of every database the consumer streams, every interval, on one thread and as
 * few statements as it can: one statement on the home database reads every slot
 * ({@code pg_replication_slots} is cluster-wide) and every watched database's write counters
 * ({@code pg_stat_database}, cluster-wide too), and a database's own backlog (its outbox, which
 * only a connection to it can read) is read again only when it may have changed: when that
 * database's counters of inserted, updated and deleted rows moved since it was read (the backlog
 * changes with no row written in that database), or, while the database has written in the last
 * {@link #ACTIVE}, when the cluster's WAL moved (counters may be reported late); at least every
 * {@link #BACKLOG_REFRESH} all the same, and always after a failed read. Without counters (a
 * database the statistics do not show), any WAL the cluster writes counts as a change. An idle
 * cluster of many databases thus costs one statement per interval, and WAL written in one
 * database (or by the server itself) reads no other database's backlog; the age of the oldest
 * pending event keeps growing between reads by the consumer's clock.
 *
 * <p>Thread-safe. {@link #start()} polls every interval on a thread this object owns; {@link #poll()}
 * polls at once on the caller's thread; {@link #watch} may be called at any time, also while
 * started. A failed poll logs its SQLState, keeps the last values and reports the database not
 * answering; a broken connection is reopened on the next poll.
 */
public final class ClusterStatusPoller implements AutoCloseable {

    /** The default time between polls. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /**
     * The longest a database's backlog is trusted without a read while its counters do not move:
     * a guard against a change they miss (statistics reset or lost, or a TRUNCATE, which counts no
     * deleted rows), not the usual way a change is seen.
     */
    public static final Duration BACKLOG_REFRESH = Duration.ofMinutes(5);
    /** How long after its write counters last moved a database counts as active. */
    static final Duration ACTIVE = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(ClusterStatusPoller.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseConnector homeConnector;
    private final PolledConnection home;
    private final Duration interval;
    private final Duration statementTimeout;
    private final Clock clock;
    private final List<WatchedDatabase> watched = new CopyOnWriteArrayList<>();
    private final Object pollLock = new Object();
    // Guarded by pollLock.
    private String lastPosition;

    // Guarded by this.
    private ScheduledExecutorService executor;
    private volatile boolean closed;

    /**
     * A poller reading the slots on a connection to {@code home}; polls nothing yet.
     *
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public ClusterStatusPoller(DatabaseConnector home, Duration interval, Clock clock) {
        this.homeConnector = Objects.requireNonNull(home, "home");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive: " + interval);
        }
        this.statementTimeout = Duration.ofMillis(Math.min(Math.max(2 * interval.toMillis(), 5_000), 60_000));
        this.home = new PolledConnection(home, statementTimeout, "the status of database " + home.databaseName());
    }

    /**
     * Starts watching the database {@code connector} connects to, whose slot is {@code slotName}:
     * the next poll reads it. The home database's backlog is read on the home connection; another
     * database's on a connection of its own, kept open until {@link WatchedDatabase#close()}.
     *
     * @throws IllegalArgumentException if {@code slotName} is empty
     */
    public WatchedDatabase watch(DatabaseConnector connector, String slotName) {
        Objects.requireNonNull(connector, "connector");
        if (slotName.isEmpty()) {
            throw new IllegalArgumentException("the slot name is empty");
        }
        boolean isHome = connector.databaseName().equals(homeConnector.databaseName());
        PolledConnection connection = isHome ? home
                : new PolledConnection(connector, statementTimeout, "the backlog of database " + connector.databaseName());
        WatchedDatabase[] self = new WatchedDatabase[1];
        self[0] = new WatchedDatabase(connector.databaseName(), slotName, connection, !isHome,
                () -> watched.remove(self[0]));
        watched.add(self[0]);
        return self[0];
    }

    /**
     * Polls now and then every interval, on a thread of its own.
     *
     * @return this
     * @throws IllegalStateException if already started or closed
     */
    public synchronized ClusterStatusPoller start() {
        if (closed || executor != null) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "credsync-status-poll");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::pollQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Reads every watched database once, on the caller's thread; waits for a poll in progress
     * first.
     *
     * @return whether every watched database's figures are current (false after any failure, or
     *     once closed)
     */
    public boolean poll() {
        synchronized (pollLock) {
            if (closed) {
                return false;
            }
            List<WatchedDatabase> databases = List.copyOf(watched);
            if (databases.isEmpty()) {
                return true;
            }
            SlotQuery.ClusterSlots slots;
            try {
                Map<String, String> databaseBySlot = new LinkedHashMap<>();
                databases.forEach(d -> databaseBySlot.put(d.slotName(), d.database()));
                slots = home.use(c -> SlotQuery.read(c, databaseBySlot));
            } catch (SQLException | RuntimeException e) {
                databases.forEach(WatchedDatabase::unanswered);
                return false;
            }
            boolean moved = !Objects.equals(slots.walInsertPosition(), lastPosition);
            lastPosition = slots.walInsertPosition();
            boolean all = true;
            for (WatchedDatabase database : databases) {
                if (!database.closed()) {
                    all &= database.refresh(slots, moved, BACKLOG_REFRESH, ACTIVE, clock);
                }
            }
            return all;
        }
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            // Caught so that one bad poll does not cancel the schedule; the class, not the message.
            log.warn("the status poll failed ({})", e.getClass().getName());
        }
    }

    /** As {@link #close(Deadline)}, with 10 s to spare. */
    @Override
    public void close() {
        close(Deadline.after(SHUTDOWN_TIMEOUT));
    }

    /**
     * Stops polling, waiting for a poll in progress until {@code deadline}, and closes every
     * connection (which also ends a poll stuck in JDBC). Idempotent.
     */
    public void close(Deadline deadline) {
        ScheduledExecutorService owned;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            owned = executor;
        }
        if (owned != null) {
            owned.shutdown();
            try {
                if (!deadline.awaitTermination(owned)) {
                    log.warn("the status poll did not finish by the shutdown deadline; abandoning it");
                    owned.shutdownNow();
                }
            } catch (InterruptedException e) {
                owned.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        // Not under pollLock: closing the connections is also how a poll stuck in JDBC ends.
        home.close();
        List.copyOf(watched).forEach(WatchedDatabase::close);
    }
}
