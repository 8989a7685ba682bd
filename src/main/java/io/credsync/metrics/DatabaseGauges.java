package io.credsync.metrics;

import io.credsync.status.DatabaseSnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * One database's figures as gauges (names as Prometheus shows them):
 * {@code credsync_replication_lag_bytes}, {@code credsync_slot_retained_wal_bytes},
 * {@code credsync_slot_active}, {@code credsync_slot_exists},
 * {@code credsync_slot_wal_status{status}}, {@code credsync_pending_events},
 * {@code credsync_oldest_pending_event_age_seconds}, {@code credsync_failed_events} and
 * {@code credsync_gauges_last_success_timestamp_seconds}. Registers meters and nothing else: the
 * figures come from a supplier ({@code io.credsync.status} reads them), asked at each scrape.
 *
 * <p>Gauges read {@code NaN} while the supplier has nothing (the timestamp reads 0, so that a
 * staleness alert fires), and a byte gauge reads {@code NaN} while the slot is missing.
 *
 * <p>Thread-safe. Micrometer holds gauges weakly, so the supplier lives in a field of this
 * object, which the caller keeps until {@link #close()}, which removes the gauges.
 */
public final class DatabaseGauges implements AutoCloseable {

    /** The values {@code pg_replication_slots.wal_status} takes (PostgreSQL 13 to 17). */
    static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost");

    /** Micrometer's BaseUnits has no seconds; Prometheus's naming convention appends this. */
    private static final String SECONDS = "seconds";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Supplier<Optional<DatabaseSnapshot>> figures;
    private final List<Meter> meters = new ArrayList<>();

    private DatabaseGauges(MeterRegistry registry, Tags tags, Supplier<Optional<DatabaseSnapshot>> figures) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Objects.requireNonNull(tags, "tags");
        this.figures = Objects.requireNonNull(figures, "figures");
        register();
    }

    /** Gauges without tags, for a consumer of one database. */
    public static DatabaseGauges register(MeterRegistry registry, Supplier<Optional<DatabaseSnapshot>> figures) {
        return new DatabaseGauges(registry, Tags.empty(), figures);
    }

    /**
     * Gauges tagged {@code database} and {@code slot}: one consumer streams from a slot in each
     * database of the cluster, and each has its own.
     */
    public static DatabaseGauges tagged(MeterRegistry registry, String database, String slot,
            Supplier<Optional<DatabaseSnapshot>> figures) {
        return new DatabaseGauges(registry, Tags.of("database", database, "slot", slot), figures);
    }

    /** Removes the gauges from the registry. Idempotent. */
    @Override
    public void close() {
        synchronized (meters) {
            meters.forEach(registry::remove);
            meters.clear();
        }
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
            register(Gauge.builder("credsync.slot.wal.status", figures,
                    f -> f.get().map(s -> status.equals(s.walStatus()) ? 1.0 : 0.0).orElse(Double.NaN))
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
        register(Gauge.builder("credsync.gauges.last.success.timestamp", figures,
                f -> f.get().map(s -> s.polledAt().toEpochMilli() / 1e3).orElse(0.0))
                .description("When the database gauges were last read, in seconds since the epoch")
                .baseUnit(SECONDS));
    }

    private void gauge(String name, String baseUnit, String description, ToDoubleFunction<DatabaseSnapshot> value) {
        register(Gauge.builder(name, figures, f -> f.get().map(value::applyAsDouble).orElse(Double.NaN))
                .description(description).baseUnit(baseUnit));
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
