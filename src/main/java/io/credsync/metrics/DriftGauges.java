package io.credsync.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drift check's verdicts as gauges. As Prometheus shows them:
 * <ul>
 *   <li>{@code credsync_secret_drift{role}}: 1 when the role's secret is missing or does not log
 *       in, 0 when it logs in; absent for roles whose login cannot be tried and before their
 *       first check;
 *   <li>{@code credsync_drifted_roles}: how many roles are drifted (0 from start-up on, so an
 *       alert has a series to watch);
 *   <li>{@code credsync_drift_check_timestamp_seconds}: when the last pass finished, in Unix
 *       seconds (0 before the first).
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} removes the gauges from the registry.
 */
public final class DriftGauges implements AutoCloseable {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, RoleGauge> roles = new ConcurrentHashMap<>();
    private final AtomicLong driftedCount = new AtomicLong();
    private final AtomicLong lastCheckMillis = new AtomicLong();
    private final Gauge drifted;
    private final Gauge lastCheck;

    private record RoleGauge(Gauge gauge, AtomicLong value) {
    }

    public DriftGauges(MeterRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        drifted = Gauge.builder("credsync.drifted.roles", driftedCount, AtomicLong::get)
                .description("Managed roles whose secret is missing or does not log in")
                .register(registry);
        lastCheck = Gauge.builder("credsync.drift.check.timestamp.seconds", lastCheckMillis, m -> m.get() / 1000.0)
                .description("When the last drift check finished (Unix seconds; 0 before the first)")
                .register(registry);
    }

    /**
     * Records a finished pass.
     *
     * @param driftedByRole the verdict of each role checked whose login could be tried
     * @param managed every managed role: the gauges of other roles are removed
     * @param skipped the roles not checked this time, whose gauges keep their value
     */
    public void record(Map<String, Boolean> driftedByRole, Collection<String> managed, Collection<String> skipped) {
        Set<String> keep = new HashSet<>(driftedByRole.keySet());
        skipped.stream().filter(roles::containsKey).forEach(keep::add);
        keep.retainAll(Set.copyOf(managed));
        roles.keySet().removeIf(role -> {
            if (keep.contains(role)) {
                return false;
            }
            registry.remove(roles.get(role).gauge());
            return true;
        });
        driftedByRole.forEach((role, isDrifted) -> {
            if (keep.contains(role)) {
                roles.computeIfAbsent(role, this::register).value().set(isDrifted ? 1 : 0);
            }
        });
        driftedCount.set(roles.values().stream().filter(g -> g.value().get() == 1).count());
        lastCheckMillis.set(clock.millis());
    }

    private RoleGauge register(String role) {
        AtomicLong value = new AtomicLong();
        Gauge gauge = Gauge.builder("credsync.secret.drift", value, AtomicLong::get)
                .description("1 when the role's secret is missing or does not log in, 0 when it logs in")
                .tag("role", role)
                .register(registry);
        return new RoleGauge(gauge, value);
    }

    @Override
    public void close() {
        roles.values().forEach(g -> registry.remove(g.gauge()));
        roles.clear();
        registry.remove(drifted);
        registry.remove(lastCheck);
    }
}
