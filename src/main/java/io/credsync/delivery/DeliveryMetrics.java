package io.credsync.delivery;

import java.time.Duration;

/**
 * What the delivery side reports, behind a narrow interface so that delivery code knows
 * nothing of the metrics library: delivery's port, implemented in {@code metrics} (Micrometer),
 * so that {@code metrics} depends on {@code delivery} and not the other way round.
 *
 * <p>Implementations are thread-safe. Arguments are never null unless a parameter says so.
 */
public interface DeliveryMetrics {

    /** An event reached a final outcome; {@code reasonCode} is a short code or null. */
    void recordOutcome(DeliveryStatus status, String reasonCode);

    /** Time from capture (the outbox row's creation) to the secret being written. */
    void recordEventLag(Duration lag);

    /** One KMS Decrypt call; {@code errorCode} is null on success. */
    void recordKmsCall(Duration duration, String errorCode);

    /** One Secrets Manager write; {@code errorCode} is null on success. */
    void recordSecretsManagerCall(Duration duration, String errorCode);

    /** A password was published without a login check, as {@code delivery.verify: best-effort} allows. */
    void recordUnverifiedPublish();

    /**
     * A secret write waited {@code waited} (more than zero) for the write-rate ceiling,
     * {@code secrets.max_writes_per_second}.
     */
    void recordWriteThrottled(Duration waited);

    /** Metrics that record nothing, for tests and tools. */
    DeliveryMetrics NONE = new DeliveryMetrics() {
        @Override
        public void recordOutcome(DeliveryStatus status, String reasonCode) {
        }

        @Override
        public void recordEventLag(Duration lag) {
        }

        @Override
        public void recordKmsCall(Duration duration, String errorCode) {
        }

        @Override
        public void recordSecretsManagerCall(Duration duration, String errorCode) {
        }

        @Override
        public void recordUnverifiedPublish() {
        }

        @Override
        public void recordWriteThrottled(Duration waited) {
        }
    };
}
