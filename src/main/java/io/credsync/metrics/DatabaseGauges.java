package io.credsync.metrics;

import io.credsync.connection.DatabaseConnector;
import io.credsync.lifecycle.Deadline;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the database, on a connection of its own, for the state of one replication slot and
 * the outbox's backlog, and exposes the last values read as gauges (names as Prometheus shows
 * them): {@code credsync_replication_lag_bytes}, {@code credsync_slot_retained_wal_bytes},
 * {@code credsync_slot_active}, {@code credsync_slot_exists},
 * {@code credsync_slot_wal_status{status}}, {@code credsync_pending_events},
 * {@code credsync_oldest_pending_event_age_seconds}, {@code credsync_failed_events} and
 * {@code credsync_gauges_last_success_timestamp_seconds}.
 *
 * <p>Gauges read {@code NaN} until the first successful poll (the timestamp reads 0, so that
 * a staleness alert fires), and a byte gauge reads {@code NaN} while the slot is missing. A
 * failed poll logs its SQLState, keeps the last values and leaves the timestamp alone; a
 * broken connection is reopened on the next poll.
 *
 * <p>Thread-safe. {@link #start()} polls every interval on a single thread this object owns;
 * {@link #poll()} polls at once on the caller's thread. Micrometer holds gauges weakly, so the
 * values live in a field of this object, which the caller keeps until {@link #close()}, which
 * also removes the gauges from the registry.
 */
public final class DatabaseGauges implements AutoCloseable {

    /** The default time between polls. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    /** The values {@code pg_replication_slots.wal_status} takes (PostgreSQL 13 to 17). */
    static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost");

    /** Micrometer's BaseUnits has no seconds; Prometheus's naming convention appends this. */
    private static final String SECONDS = "seconds";

    private static final Logger log = LoggerFactory.getLogger(DatabaseGauges.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** While polls keep failing, warn on the first and then on every this-many-th. */
    private static final int WARN_EVERY = 12;

    private final DatabaseConnector connector;
    private final String slotName;
    private final Tags tags;
    private final MeterRegistry registry;
    private final Duration interval;
    private final Clock clock;
    private final AtomicReference<DatabaseSnapshot> last = new AtomicReference<>();
    /** Whether the last poll read the database; written under pollLock, read by any thread. */
    private volatile boolean lastPollSucceeded;
    private final List<Meter> meters = new ArrayList<>();
    private final Object pollLock = new Object();

    // Written under pollLock; volatile because close() also closes it without the lock.
    private volatile Connection connection;
    // Guarded by pollLock.
    private String query;
    private int consecutiveFailures;

    // Guarded by this.
    private ScheduledExecutorService executor;
    private volatile boolean closed;

    /** Gauges for {@code slotName}, polled every {@link #DEFAULT_INTERVAL} once started. */
    public DatabaseGauges(DatabaseConnector connector, String slotName, MeterRegistry registry) {
        this(connector, slotName, registry, DEFAULT_INTERVAL, Clock.systemUTC());
    }

    /**
     * Gauges for {@code slotName}, each tagged {@code database} and {@code slot}: one consumer
     * streams from a slot in each database of the cluster, and each has its own.
     */
    public static DatabaseGauges tagged(DatabaseConnector connector, String slotName, MeterRegistry registry) {
        return new DatabaseGauges(connector, slotName, registry, DEFAULT_INTERVAL, Clock.systemUTC(),
                Tags.of("database", connector.databaseName(), "slot", slotName));
    }

    /**
     * Registers the gauges (reading {@code NaN} until the first poll); polls nothing yet.
     *
     * @throws IllegalArgumentException if {@code slotName} is empty or {@code interval} not positive
     */
    public DatabaseGauges(DatabaseConnector connector, String slotName, MeterRegistry registry, Duration interval,
            Clock clock) {
        this(connector, slotName, registry, interval, clock, Tags.empty());
    }

    private DatabaseGauges(DatabaseConnector connector, String slotName, MeterRegistry registry, Duration interval,
            Clock clock, Tags tags) {
        this.tags = Objects.requireNonNull(tags, "tags");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (slotName.isEmpty()) {
            throw new IllegalArgumentException("the slot name is empty");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive: " + interval);
        }
        register();
    }

    /**
     * Polls now and then every interval, on a thread of its own.
     *
     * @return this
     * @throws IllegalStateException if already started or closed
     */
    public synchronized DatabaseGauges start() {
        if (closed || executor != null) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "credsync-database-gauges");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Reads the database once, on the caller's thread; waits for a poll in progress first.
     *
     * @return whether the values were read (false after a failure, or once closed)
     */
    public boolean poll() {
        synchronized (pollLock) {
            if (closed) {
                return false;
            }
            try {
                last.set(read());
                lastPollSucceeded = true;
                if (consecutiveFailures > 0) {
                    log.info("database gauges read again after {} failed polls", consecutiveFailures);
                }
                consecutiveFailures = 0;
                return true;
            } catch (SQLException e) {
                lastPollSucceeded = false;
                failed("SQLState " + e.getSQLState());
                dropConnectionIfBroken();
                return false;
            } catch (RuntimeException e) {
                // Caught so that one bad poll does not cancel the schedule; the class, not
                // the message, which might quote data.
                lastPollSucceeded = false;
                failed(e.getClass().getName());
                dropConnectionIfBroken();
                return false;
            } finally {
                if (closed) {
                    closeConnection();
                }
            }
        }
    }

    /**
     * Whether the database answers now, as the last poll found: false until a poll succeeded and
     * after a failed one (while {@link #snapshot} keeps the last values). Any thread.
     */
    public boolean answering() {
        return lastPollSucceeded;
    }

    /** The values of the last successful poll; empty until there was one. */
    public Optional<DatabaseSnapshot> snapshot() {
        return Optional.ofNullable(last.get());
    }

    /** As {@link #close(Deadline)}, with 10 s to spare. */
    @Override
    public void close() {
        close(Deadline.after(SHUTDOWN_TIMEOUT));
    }

    /**
     * Stops polling, waiting for a poll in progress until {@code deadline}, closes the connection
     * (which also ends a poll stuck in JDBC) and removes the gauges. Idempotent.
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
                    log.warn("the database gauges poll did not finish by the shutdown deadline; abandoning it");
                    owned.shutdownNow();
                }
            } catch (InterruptedException e) {
                owned.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        // Not under pollLock: closing the connection is also how a poll stuck in JDBC ends.
        closeConnection();
        synchronized (meters) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }

    private DatabaseSnapshot read() throws SQLException {
        Connection c = connection();
        return read(c, query, slotName, clock);
    }

    /**
     * Reads the slot and the backlog once on {@code connection}, with the query the gauges poll,
     * for commands such as {@code status} that want the same figures without a registry.
     *
     * @param connection an open connection to the database credsync is installed in; not closed
     * @param slotName the slot to ask about
     * @param clock stamps {@link DatabaseSnapshot#polledAt()}
     * @return the figures; never null
     */
    public static DatabaseSnapshot readOnce(Connection connection, String slotName, Clock clock) throws SQLException {
        return read(connection, query(connection.getMetaData().getDatabaseMajorVersion() >= 13), slotName, clock);
    }

    private static DatabaseSnapshot read(Connection c, String query, String slotName, Clock clock)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(query)) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                boolean exists = row.getBoolean(1);
                boolean active = row.getBoolean(2);
                int pid = row.getInt(3);
                Integer activePid = row.wasNull() ? null : pid;
                String walStatus = row.getString(4);
                Long retained = nullableLong(row, 5);
                Long lag = nullableLong(row, 6);
                long pending = row.getLong(7);
                double ageSeconds = row.getDouble(8);
                Duration age = row.wasNull() ? null : Duration.ofNanos(Math.round(ageSeconds * 1e9));
                long failed = row.getLong(9);
                return new DatabaseSnapshot(slotName, exists, active, activePid, walStatus, retained, lag, pending,
                        age, failed, clock.instant());
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = connector.connect();
            try {
                c.setAutoCommit(true);
                try (Statement statement = c.createStatement()) {
                    // A poll must not hang the gauges (or close()) on a lock or a slow scan.
                    long timeout = Math.min(Math.max(2 * interval.toMillis(), 5_000), 60_000);
                    statement.execute("SET statement_timeout = " + timeout);
                }
                query = query(c.getMetaData().getDatabaseMajorVersion() >= 13);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    static String query(boolean hasWalStatus) {
        return "SELECT s.slot_name IS NOT NULL, COALESCE(s.active, false), s.active_pid, "
                + (hasWalStatus ? "s.wal_status" : "NULL::text") + ","
                + " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn)::bigint,"
                + " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint,"
                + " p.pending,"
                // GREATEST ignores a null, so the CASE keeps "nothing pending" null.
                + " CASE WHEN p.oldest IS NOT NULL THEN"
                + " pg_catalog.date_part('epoch', GREATEST(pg_catalog.now() - p.oldest, interval '0'))::float8 END,"
                + " f.failed"
                + " FROM (SELECT count(*) AS pending, min(o.created_at) AS oldest FROM credsync.outbox o"
                + " WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)) p"
                // Only what still needs action: the view leaves out dismissed events, and those whose
                // role has synced this change or a newer one since, or that were replayed.
                + " CROSS JOIN (SELECT count(*) AS failed FROM credsync.failed_event e"
                + " WHERE e.resolved_by IS NULL) f"
                + " LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = ?";
    }

    private void failed(String cause) {
        consecutiveFailures++;
        if (consecutiveFailures % WARN_EVERY == 1) {
            log.warn("cannot read the database gauges ({}); keeping the last values ({} failed polls in a row)",
                    cause, consecutiveFailures);
        } else {
            log.debug("cannot read the database gauges ({})", cause);
        }
    }

    private void dropConnectionIfBroken() {
        Connection c = connection;
        boolean valid;
        try {
            valid = c != null && c.isValid(2);
        } catch (SQLException e) {
            valid = false;
        }
        if (!valid) {
            closeConnection();
        }
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing the database gauges' connection failed (SQLState {})", e.getSQLState());
        }
    }

    private static Long nullableLong(ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    private void register() {
        gauge("credsync.replication.lag", BaseUnits.BYTES,
                "WAL the slot's consumer has not confirmed: pg_current_wal_lsn() - confirmed_flush_lsn",
                s -> orNaN(s.replicationLagBytes()));
        gauge("credsync.slot.retained.wal", BaseUnits.BYTES,
                "WAL the slot keeps on disk: pg_current_wal_lsn() - restart_lsn",
                s -> orNaN(s.retainedWalBytes()));
        gauge("credsync.slot.active", null, "1 while a process streams from the slot", s -> s.slotActive() ? 1 : 0);
        gauge("credsync.slot.exists", null, "1 while the slot exists", s -> s.slotExists() ? 1 : 0);
        for (String status : WAL_STATUSES) {
            register(Gauge.builder("credsync.slot.wal.status", last,
                    r -> r.get() == null ? Double.NaN : status.equals(r.get().walStatus()) ? 1 : 0)
                    .description("1 for the slot's current wal_status")
                    .tag("status", status));
        }
        gauge("credsync.pending.events", null, "Outbox rows without a delivery row", DatabaseSnapshot::pendingEvents);
        gauge("credsync.oldest.pending.event.age", SECONDS,
                "Age of the oldest outbox row without a delivery row; 0 when there is none",
                s -> s.oldestPendingAge() == null ? 0 : s.oldestPendingAge().toNanos() / 1e9);
        gauge("credsync.failed.events", null, "Failed or rejected events that still need action: not dismissed,"
                + " not replayed, and no newer change of the role synced since",
                DatabaseSnapshot::failedEvents);
        register(Gauge.builder("credsync.gauges.last.success.timestamp", last,
                r -> r.get() == null ? 0 : r.get().polledAt().toEpochMilli() / 1e3)
                .description("When the database gauges were last read, in seconds since the epoch")
                .baseUnit(SECONDS));
    }

    private void gauge(String name, String baseUnit, String description, ToDoubleFunction<DatabaseSnapshot> value) {
        register(Gauge.builder(name, last, r -> {
            DatabaseSnapshot snapshot = r.get();
            return snapshot == null ? Double.NaN : value.applyAsDouble(snapshot);
        }).description(description).baseUnit(baseUnit));
    }

    private void register(Gauge.Builder<?> builder) {
        synchronized (meters) {
            meters.add(builder.tags(tags).register(registry));
        }
    }

    private static double orNaN(Long value) {
        return value == null ? Double.NaN : value;
    }
}
