package io.credsync.drift;

import io.credsync.config.DriftConfig;
import io.credsync.connection.DatabaseConnector;
import io.credsync.lifecycle.Deadline;
import io.credsync.metrics.DriftGauges;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the {@link DriftCheck} every {@code drift.interval} on a thread of its own, while this
 * consumer is the one streaming (a standby waiting for the slot would only repeat the active
 * one's work, and with {@code auto_rotate} rotate the same role twice). Each pass logs every
 * drifted role at WARN, updates the gauges and, with {@code auto_rotate}, rotates the drifted
 * roles whose rotation is the fix.
 *
 * <p>{@link #start} and {@link #close} are called by one thread; passes run on the monitor's own.
 */
public final class DriftMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);
    private static final String ROTATE_GRANT = "GRANT EXECUTE ON FUNCTION credsync.rotate(text, integer, text)";

    private final DatabaseConnector connector;
    private final DriftCheck check;
    private final DriftConfig config;
    private final BooleanSupplier active;
    private final DriftGauges gauges;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "credsync-drift");
        thread.setDaemon(true);
        return thread;
    });
    /** Roles drifted at the last pass; touched by the monitor's thread only. */
    private final Set<String> drifted = new HashSet<>();

    /**
     * @param active whether this consumer streams now; called from the monitor's thread
     */
    public DriftMonitor(DatabaseConnector connector, DriftCheck check, DriftConfig config, BooleanSupplier active,
            DriftGauges gauges) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.check = Objects.requireNonNull(check, "check");
        this.config = Objects.requireNonNull(config, "config");
        this.active = Objects.requireNonNull(active, "active");
        this.gauges = Objects.requireNonNull(gauges, "gauges");
    }

    /**
     * Refuses {@code drift.auto_rotate} for a role that may not call {@code credsync.rotate}: it
     * would find drift and fail to fix it at every pass.
     *
     * @throws AutoRotateNotPermittedException naming the key and the grant
     */
    public static void requireRotatePermission(DatabaseConnector connector) throws SQLException,
            AutoRotateNotPermittedException {
        try (Connection connection = connector.connect()) {
            if (!DriftStore.mayRotate(connection)) {
                throw new AutoRotateNotPermittedException("drift.auto_rotate is true, but the consumer's role "
                        + connection.getMetaData().getUserName() + " may not execute credsync.rotate: run "
                        + ROTATE_GRANT + " TO " + connection.getMetaData().getUserName()
                        + " as an administrator, or set drift.auto_rotate to false");
            }
        }
    }

    /** Schedules the passes: the first one interval from now. */
    public DriftMonitor start() {
        long millis = config.interval().toMillis();
        executor.scheduleWithFixedDelay(this::runPass, millis, millis, TimeUnit.MILLISECONDS);
        log.info("drift check every {}{}", config.interval(), config.autoRotate() ? ", rotating drifted roles" : "");
        return this;
    }

    private void runPass() {
        if (!active.getAsBoolean()) {
            return;
        }
        // A scheduled task that throws is never run again: nothing may escape.
        try (Connection connection = connector.connect()) {
            DriftReport report = check.run(connection);
            report(report);
            if (config.autoRotate()) {
                rotate(connection, report);
            }
        } catch (SQLException e) {
            log.warn("drift check abandoned: the database answered SQLState {}: {}{}", e.getSQLState(), e.getMessage(),
                    "42501".equals(e.getSQLState())
                            ? " (run credsync install --consumer-role <this role> to grant what it lacks)" : "");
        } catch (RuntimeException e) {
            log.error("drift check failed: {}", e.toString(), e);
        }
    }

    private void report(DriftReport report) {
        Map<String, Boolean> states = new HashMap<>();
        for (DriftVerdict verdict : report.verdicts()) {
            try (MDC.MDCCloseable role = MDC.putCloseable("role", verdict.role())) {
                switch (verdict.state()) {
                    case DRIFTED -> {
                        log.warn("drift detected: role {}: {}; fix: {}", verdict.role(), verdict.reason(), verdict.fix());
                        drifted.add(verdict.role());
                    }
                    case IN_SYNC -> {
                        if (drifted.remove(verdict.role())) {
                            log.info("role {} is in sync again: its secret logs in", verdict.role());
                        }
                    }
                    case UNVERIFIABLE -> drifted.remove(verdict.role());
                }
            }
            if (verdict.state() != DriftState.UNVERIFIABLE) {
                states.put(verdict.role(), verdict.drifted());
            }
        }
        drifted.retainAll(report.managed());
        gauges.record(states, report.managed(), report.skipped());
        log.info("drift check: {} managed role(s), {} in sync, {} drifted, {} unverifiable, {} skipped",
                report.managed().size(),
                report.verdicts().stream().filter(v -> v.state() == DriftState.IN_SYNC).count(),
                report.drifted().size(),
                report.verdicts().stream().filter(v -> v.state() == DriftState.UNVERIFIABLE).count(),
                report.skipped().size());
    }

    private void rotate(Connection connection, DriftReport report) {
        for (DriftVerdict verdict : report.drifted()) {
            if (!verdict.rotatable()) {
                continue;
            }
            try (MDC.MDCCloseable role = MDC.putCloseable("role", verdict.role())) {
                UUID event = DriftStore.rotate(connection, verdict.role());
                try (MDC.MDCCloseable eventId = MDC.putCloseable("event_id", event.toString())) {
                    log.warn("rotated role {} after drift (drift.auto_rotate): event {}", verdict.role(), event);
                }
            } catch (SQLException e) {
                // rotate does no more than the consumer's own ALTER ROLE could: doctor lists what it lacks.
                log.error("cannot rotate drifted role {}: the database answered SQLState {}: {}{}", verdict.role(),
                        e.getSQLState(), e.getMessage(), "42501".equals(e.getSQLState())
                                ? " (credsync doctor lists the managed roles this consumer may not rotate, and why)"
                                : "");
            }
        }
    }

    /** As {@link #close(Deadline)}, with 3 s to spare. */
    @Override
    public void close() {
        close(Deadline.after(Duration.ofSeconds(3)));
    }

    /** Stops the passes, interrupting one in progress, and waits for it until {@code deadline}. */
    public void close(Deadline deadline) {
        executor.shutdownNow();
        try {
            if (!deadline.awaitTermination(executor)) {
                log.warn("the drift check did not stop by the shutdown deadline; leaving it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
