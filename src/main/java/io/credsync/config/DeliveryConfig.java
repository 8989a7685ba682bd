package io.credsync.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code delivery} section: how writes to Secrets Manager are retried and batched.
 *
 * <p>Immutable and thread-safe. No component is null; durations are positive.
 *
 * @param retryInitial first wait before retrying a transient failure
 * @param retryMax longest wait between retries; at least {@code retryInitial}
 * @param maxBatch most events taken from the outbox at once, 1 to 10000
 * @param verify whether a password must log in before it is published, and what to do when that
 *     cannot be tried
 * @param concurrency how many roles are delivered at once, 1 to 64; each has a database connection
 */
public record DeliveryConfig(Duration retryInitial, Duration retryMax, int maxBatch, VerifyMode verify,
        int concurrency) {

    static final List<String> KEYS = List.of("retry_initial", "retry_max", "max_batch", "verify", "concurrency");

    public DeliveryConfig {
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(verify, "verify");
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static DeliveryConfig read(Section s) {
        Duration retryInitial = s.duration("retry_initial", Duration.ofMillis(200));
        Duration retryMax = s.duration("retry_max", Duration.ofSeconds(30));
        Backoffs.check(s, "retry_initial", retryInitial, "retry_max", retryMax);
        int maxBatch = s.integer("max_batch", 1_000, 1, 10_000);
        String verifyText = s.nonBlank("verify", VerifyMode.REQUIRED.value());
        VerifyMode verify = VerifyMode.parse(verifyText);
        if (verify == null) {
            s.problem(s.scalar("verify").orElseThrow(), "must be required, best-effort or off, got " + verifyText);
        }
        // 4: a role costs about three Secrets Manager calls, and DescribeSecret's quota is 40 a second.
        int concurrency = s.integer("concurrency", 4, 1, 64);
        return s.failed() ? null : new DeliveryConfig(retryInitial, retryMax, maxBatch, verify, concurrency);
    }
}
