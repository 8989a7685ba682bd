package io.credsync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.delivery.DeliveryStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicrometerDeliveryMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerDeliveryMetrics metrics = new MicrometerDeliveryMetrics(registry);

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    @Test
    void outcomesAreCountedByStatusAndReasonCode() {
        metrics.recordOutcome(DeliveryStatus.SYNCED, null);
        metrics.recordOutcome(DeliveryStatus.SYNCED, null);
        metrics.recordOutcome(DeliveryStatus.FAILED, "bad_tag");

        Scrape scrape = scrape();
        assertThat(scrape.value("credsync_events_total", "outcome", "synced", "reason", "none"))
                .as("an outcome without a reason is tagged none").hasValue(2.0);
        assertThat(scrape.value("credsync_events_total", "outcome", "failed", "reason", "bad_tag"))
                .as("the outcome is the status's SQL value, the reason the code given").hasValue(1.0);
    }

    @Test
    void reasonsThatLookLikeMessageTextAreTaggedOther() {
        metrics.recordOutcome(DeliveryStatus.FAILED, "the secret arn:aws:secretsmanager:x is scheduled for deletion");

        assertThat(scrape().value("credsync_events_total", "outcome", "failed", "reason", "other"))
                .as("text with spaces is no code, and must not become a series of its own").hasValue(1.0);
    }

    @Test
    void distinctCodesBeyondTheLimitAreTaggedOther() {
        for (int i = 0; i < MicrometerDeliveryMetrics.MAX_CODES + 10; i++) {
            metrics.recordOutcome(DeliveryStatus.FAILED, "code" + i);
        }

        Scrape scrape = scrape();
        assertThat(scrape.value("credsync_events_total", "reason", "code0")).as("early codes keep their tag")
                .hasValue(1.0);
        assertThat(scrape.value("credsync_events_total", "reason", "other"))
                .as("the codes past the limit share one series").hasValue(10.0);
    }

    @Test
    void eventLagIsAHistogramWithServiceLevelBuckets() {
        metrics.recordEventLag(Duration.ofMillis(40));
        metrics.recordEventLag(Duration.ofSeconds(2));

        Scrape scrape = scrape();
        assertThat(scrape.value("credsync_event_lag_seconds_count")).hasValue(2.0);
        assertThat(scrape.value("credsync_event_lag_seconds_bucket", "le", "0.05"))
                .as("a 50 ms bucket holds the 40 ms event").hasValue(1.0);
        assertThat(scrape.value("credsync_event_lag_seconds_bucket", "le", "30.0"))
                .as("a 30 s bucket holds both").hasValue(2.0);
        assertThat(scrape.value("credsync_event_lag_seconds_bucket", "le", "+Inf")).hasValue(2.0);
    }

    @Test
    void aNegativeEventLagCountsAsZero() {
        metrics.recordEventLag(Duration.ofMillis(-5));

        assertThat(scrape().value("credsync_event_lag_seconds_count"))
                .as("clock skew between the database and the consumer must not lose the event").hasValue(1.0);
    }

    @Test
    void kmsCallsAreTimedByOutcomeAndCodeAndErrorsCounted() {
        metrics.recordKmsCall(Duration.ofMillis(20), null);
        metrics.recordKmsCall(Duration.ofMillis(30), "ThrottlingException");

        Scrape scrape = scrape();
        assertThat(scrape.value("credsync_kms_call_seconds_count", "outcome", "ok", "code", "none")).hasValue(1.0);
        assertThat(scrape.value("credsync_kms_call_seconds_count", "outcome", "error", "code", "ThrottlingException"))
                .hasValue(1.0);
        assertThat(scrape.value("credsync_aws_errors_total", "service", "kms", "code", "ThrottlingException"))
                .hasValue(1.0);
        assertThat(scrape.value("credsync_aws_errors_total", "code", "none"))
                .as("a success is no error").isEmpty();
    }

    @Test
    void secretsManagerCallsAreTimedByOutcomeAndCodeAndErrorsCounted() {
        metrics.recordSecretsManagerCall(Duration.ofMillis(60), null);
        metrics.recordSecretsManagerCall(Duration.ofMillis(70), "AccessDeniedException");

        Scrape scrape = scrape();
        assertThat(scrape.value("credsync_secretsmanager_call_seconds_count", "outcome", "ok", "code", "none"))
                .hasValue(1.0);
        assertThat(scrape.value("credsync_secretsmanager_call_seconds_bucket", "outcome", "ok", "le", "0.1"))
                .as("AWS call timers have latency buckets").hasValue(1.0);
        assertThat(scrape.value("credsync_aws_errors_total", "service", "secretsmanager", "code",
                "AccessDeniedException")).hasValue(1.0);
    }

    @Test
    void writesThatWaitedForTheCeilingAreCountedWithTheTimeTheyWaited() {
        metrics.recordWriteThrottled(Duration.ofMillis(250));
        metrics.recordWriteThrottled(Duration.ofMillis(500));

        Scrape scrape = scrape();
        assertThat(scrape.value("credsync_secret_writes_throttled_total")).hasValue(2.0);
        assertThat(scrape.value("credsync_secret_write_wait_seconds_total")).hasValue(0.75);
    }

    @Test
    void closeRemovesTheMetersItRegistered() {
        metrics.recordOutcome(DeliveryStatus.SYNCED, null);
        metrics.recordEventLag(Duration.ofMillis(1));
        metrics.recordKmsCall(Duration.ofMillis(1), "KMSInternalException");

        metrics.close();

        assertThat(registry.getMeters()).as("nothing of ours is left in the registry").isEmpty();
    }

    private Scrape scrape() {
        return new Scrape(registry.scrape());
    }
}
