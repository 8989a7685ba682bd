package io.credsync.metrics;

import io.credsync.aws.AwsClients;
import io.credsync.config.AwsConfig;
import io.credsync.config.MetricsConfig;
import io.credsync.lifecycle.Deadline;
import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * The optional export of credsync's meters to CloudWatch ({@code metrics.cloudwatch_enabled}),
 * for ECS users who run no Prometheus: every {@code metrics.cloudwatch_step}, one
 * {@code PutMetricData} round into {@code metrics.cloudwatch_namespace}, with the dimension
 * {@code database} (so that consumers of several databases can share a namespace).
 *
 * <p>Only meters named {@code credsync.*} are sent: CloudWatch bills each metric and dimension
 * set, and the JVM meters stay on the Prometheus endpoint. Timers arrive as count, sum, average
 * and maximum (CloudWatch has no histogram buckets); gauges as their value.
 *
 * <p>The registry calls CloudWatch through the same url-connection client, time-outs and retry
 * limits as KMS and Secrets Manager (see {@link AwsClients}): micrometer asks for an async
 * client, and {@link SyncCloudWatchAsyncClient} answers with the sync one rather than bring
 * Netty into the jar. The endpoint is the SDK's usual one, or {@code AWS_ENDPOINT_URL_CLOUDWATCH}.
 * A failed publish is logged by micrometer and retried at the next step; it never stops
 * delivery.
 *
 * <p>Thread-safe. {@link #close(Deadline)} publishes once more, within the shutdown deadline,
 * then closes the client.
 */
public final class CloudWatchExport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CloudWatchExport.class);

    private final CloudWatchMeterRegistry cloudWatch;
    private final CompositeMeterRegistry meters;
    private final CloudWatchClient client;

    private CloudWatchExport(CloudWatchMeterRegistry cloudWatch, CompositeMeterRegistry meters,
            CloudWatchClient client) {
        this.cloudWatch = cloudWatch;
        this.meters = meters;
        this.client = client;
    }

    /**
     * Starts publishing to CloudWatch, with a client from the SDK's default credential chain.
     *
     * @param metrics the namespace and step; {@code cloudwatchEnabled()} is the caller's to check
     * @param aws the Region
     * @param databaseName the value of the {@code database} dimension
     * @param prometheus the registry that serves {@code /metrics}; meters registered through
     *     {@link #meters()} go to both
     */
    public static CloudWatchExport start(MetricsConfig metrics, AwsConfig aws, String databaseName,
            MeterRegistry prometheus) {
        CloudWatchClient client = AwsClients.build(CloudWatchClient.builder(), aws.region(), null, null);
        try {
            return start(metrics, client, databaseName, prometheus, Clock.SYSTEM);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** As {@link #start(MetricsConfig, AwsConfig, String, MeterRegistry)}, with a given client (tests). */
    static CloudWatchExport start(MetricsConfig metrics, CloudWatchClient client, String databaseName,
            MeterRegistry prometheus, Clock clock) {
        Objects.requireNonNull(prometheus, "prometheus");
        CloudWatchMeterRegistry cloudWatch = new CloudWatchMeterRegistry(config(metrics), clock,
                new SyncCloudWatchAsyncClient(client));
        // Filters and tags before any meter exists: micrometer applies them at registration only.
        cloudWatch.config()
                .meterFilter(MeterFilter.denyUnless(id -> id.getName().startsWith("credsync.")))
                .commonTags("database", Objects.requireNonNull(databaseName, "databaseName"));
        CompositeMeterRegistry meters = new CompositeMeterRegistry(clock, List.of(prometheus, cloudWatch));
        return new CloudWatchExport(cloudWatch, meters, client);
    }

    /** Where credsync's own meters are registered: the Prometheus registry and CloudWatch's. */
    public MeterRegistry meters() {
        return meters;
    }

    /** As {@link #close(Deadline)}, with as long as one CloudWatch call may take. */
    @Override
    public void close() {
        close(Deadline.after(AwsClients.API_CALL_TIMEOUT));
    }

    /**
     * Publishes what the current step holds, stops publishing and closes the client. The last
     * publish is a CloudWatch call, which may take up to {@link AwsClients#API_CALL_TIMEOUT}: it
     * runs on a thread of its own and is abandoned (its values lost) at {@code deadline}.
     */
    public void close(Deadline deadline) {
        meters.remove(cloudWatch);
        Thread lastPublish = new Thread(cloudWatch::close, "credsync-cloudwatch-close");
        lastPublish.setDaemon(true);
        lastPublish.start();
        try {
            if (!deadline.join(lastPublish)) {
                log.warn("the last CloudWatch publish did not finish by the shutdown deadline; abandoning it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }

    private static CloudWatchConfig config(MetricsConfig metrics) {
        String namespace = metrics.cloudwatchNamespace();
        Duration step = metrics.cloudwatchStep();
        return new CloudWatchConfig() {
            @Override
            public String get(String key) {
                return null; // everything else at micrometer's defaults
            }

            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public Duration step() {
                return step;
            }
        };
    }
}
