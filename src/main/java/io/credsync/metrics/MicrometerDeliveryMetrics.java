package io.credsync.metrics;

import io.credsync.delivery.DeliveryMetrics;
import io.credsync.delivery.DeliveryStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@link DeliveryMetrics} on a Micrometer {@link MeterRegistry}. As Prometheus shows them:
 * <ul>
 *   <li>{@code credsync_events_total{outcome, reason}}: events by final outcome (the status's
 *       SQL value) and reason code ({@code none} without one);
 *   <li>{@code credsync_event_lag_seconds}: capture to secret written, a histogram with
 *       percentile buckets and service-level buckets from 50 ms to 30 s;
 *   <li>{@code credsync_kms_call_seconds{outcome, code}} and
 *       {@code credsync_secretsmanager_call_seconds{outcome, code}}: call latency, outcome
 *       {@code ok} or {@code error}, code the AWS error code or {@code none};
 *   <li>{@code credsync_aws_errors_total{service, code}}: failed AWS calls, service {@code kms}
 *       or {@code secretsmanager}.
 * </ul>
 * Codes go through {@link TagValues}, so at most {@value #MAX_CODES} distinct codes per tag
 * appear; others are tagged {@code other}.
 *
 * <p>Thread-safe. Meters are created on first use and cached; {@link #close()} removes them
 * from the registry (as HikariCP's tracker does), after which recording creates them anew.
 */
public final class MicrometerDeliveryMetrics implements DeliveryMetrics, AutoCloseable {

    static final int MAX_CODES = 50;

    /** Buckets an operator can put an SLO on; the percentile histogram adds finer ones. */
    private static final Duration[] EVENT_LAG_SLOS = {
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30),
    };

    /** A few buckets per (outcome, code): a full percentile histogram per code would be too many series. */
    private static final Duration[] AWS_CALL_SLOS = {
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10),
    };

    private final MeterRegistry registry;
    private final TagValues reasons = new TagValues(MAX_CODES);
    private final TagValues kmsCodes = new TagValues(MAX_CODES);
    private final TagValues secretsManagerCodes = new TagValues(MAX_CODES);
    private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();

    public MicrometerDeliveryMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        // From the start, at zero: that no write has waited for the ceiling is worth seeing.
        writesThrottled();
        writeWait();
    }

    @Override
    public void recordOutcome(DeliveryStatus status, String reasonCode) {
        String outcome = status.sqlValue();
        String reason = reasons.of(reasonCode);
        counter(List.of("events", outcome, reason), () -> Counter.builder("credsync.events")
                .description("Outbox events that reached a final outcome")
                .tag("outcome", outcome)
                .tag("reason", reason)
                .register(registry)).increment();
    }

    /** Records {@code lag}; a negative lag (the two clocks disagree) counts as zero. */
    @Override
    public void recordEventLag(Duration lag) {
        Duration clamped = lag.isNegative() ? Duration.ZERO : lag;
        timer(List.of("event_lag"), () -> Timer.builder("credsync.event.lag")
                .description("Time from capture (outbox row created) to the secret being written")
                .publishPercentileHistogram()
                .serviceLevelObjectives(EVENT_LAG_SLOS)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry)).record(clamped);
    }

    @Override
    public void recordKmsCall(Duration duration, String errorCode) {
        recordAwsCall("kms", "credsync.kms.call", "KMS Decrypt calls", kmsCodes, duration, errorCode);
    }

    @Override
    public void recordSecretsManagerCall(Duration duration, String errorCode) {
        recordAwsCall("secretsmanager", "credsync.secretsmanager.call", "Secrets Manager writes",
                secretsManagerCodes, duration, errorCode);
    }

    @Override
    public void recordUnverifiedPublish() {
        counter(List.of("unverified"), () -> Counter.builder("credsync.unverified.publishes")
                .description("Passwords published without a login check (delivery.verify: best-effort)")
                .register(registry)).increment();
    }

    @Override
    public void recordWriteThrottled(Duration waited) {
        writesThrottled().increment();
        writeWait().increment(waited.toNanos() / 1e9);
    }

    private Counter writesThrottled() {
        return counter(List.of("writes_throttled"), () -> Counter.builder("credsync.secret.writes.throttled")
                .description("Secret writes that waited for the write-rate ceiling (secrets.max_writes_per_second)")
                .register(registry));
    }

    private Counter writeWait() {
        return counter(List.of("write_wait"), () -> Counter.builder("credsync.secret.write.wait")
                .description("Time secret writes waited for the write-rate ceiling, in seconds")
                .baseUnit("seconds")
                .register(registry));
    }

    /** Removes every meter this instance registered. */
    @Override
    public void close() {
        meters.values().forEach(registry::remove);
        meters.clear();
    }

    private void recordAwsCall(String service, String name, String description, TagValues codes,
            Duration duration, String errorCode) {
        Objects.requireNonNull(duration, "duration");
        String code = codes.of(errorCode);
        String outcome = errorCode == null ? "ok" : "error";
        timer(List.of(service, outcome, code), () -> Timer.builder(name)
                .description(description)
                .tag("outcome", outcome)
                .tag("code", code)
                .serviceLevelObjectives(AWS_CALL_SLOS)
                .register(registry)).record(duration.isNegative() ? Duration.ZERO : duration);
        if (errorCode != null) {
            counter(List.of("aws_errors", service, code), () -> Counter.builder("credsync.aws.errors")
                    .description("AWS calls that failed, by service and error code")
                    .tag("service", service)
                    .tag("code", code)
                    .register(registry)).increment();
        }
    }

    private Counter counter(List<String> key, Supplier<Counter> create) {
        return (Counter) meters.computeIfAbsent(key, k -> create.get());
    }

    private Timer timer(List<String> key, Supplier<Timer> create) {
        return (Timer) meters.computeIfAbsent(key, k -> create.get());
    }
}
