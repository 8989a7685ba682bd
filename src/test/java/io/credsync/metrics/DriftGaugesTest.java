package io.credsync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftGaugesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DriftGauges gauges = new DriftGauges(registry,
            Clock.fixed(Instant.ofEpochSecond(1_000), ZoneOffset.UTC));

    @Test
    void shouldShowZeroDriftedRolesBeforeTheFirstCheck() {
        assertThat(registry.get("credsync.drifted.roles").gauge().value()).isZero();
        assertThat(registry.get("credsync.drift.check.timestamp.seconds").gauge().value()).isZero();
    }

    @Test
    void shouldShowEachCheckedRolesVerdictAndCountTheDriftedOnes() {
        gauges.record(Map.of("a", true, "b", false), List.of("a", "b", "c"), List.of());

        assertThat(roleGauge("a")).isEqualTo(1.0);
        assertThat(roleGauge("b")).isZero();
        assertThat(registry.find("credsync.secret.drift").tag("role", "c").gauge()).isNull();
        assertThat(registry.get("credsync.drifted.roles").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("credsync.drift.check.timestamp.seconds").gauge().value()).isEqualTo(1_000.0);
    }

    @Test
    void shouldKeepASkippedRolesLastVerdictAndRemoveRolesNoLongerManaged() {
        gauges.record(Map.of("a", true, "b", true), List.of("a", "b"), List.of());

        gauges.record(Map.of(), List.of("a"), List.of("a"));

        assertThat(roleGauge("a")).as("skipped: its last verdict stands").isEqualTo(1.0);
        assertThat(registry.find("credsync.secret.drift").tag("role", "b").gauge()).as("no longer managed").isNull();
        assertThat(registry.get("credsync.drifted.roles").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void shouldRemoveEveryGaugeWhenClosed() {
        gauges.record(Map.of("a", true), List.of("a"), List.of());

        gauges.close();

        assertThat(registry.getMeters()).isEmpty();
    }

    private double roleGauge(String role) {
        return registry.get("credsync.secret.drift").tag("role", role).gauge().value();
    }
}
