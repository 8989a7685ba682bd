package io.credsync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.config.MetricsConfig;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.credsync.lifecycle.Deadline;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

class CloudWatchExportTest {

    private static final MetricsConfig METRICS = new MetricsConfig(true, "127.0.0.1", 0, true, "credsync/test",
            Duration.ofMinutes(1));

    @Test
    void credsyncMetersReachBothRegistriesAndOnlyTheyAreSentToCloudWatchWithTheDatabaseDimension() {
        StubCloudWatch stub = new StubCloudWatch(false);
        CredsyncMeterRegistry prometheus = CredsyncMeterRegistry.create();
        CloudWatchExport export = CloudWatchExport.start(METRICS, stub, "appdb", prometheus, Clock.SYSTEM);

        Counter.builder("credsync.events").tag("outcome", "synced").register(export.meters()).increment(3);
        export.close();

        assertThat(prometheus.scrape()).as("still on /metrics").contains("credsync_events_total");
        assertThat(stub.requests).as("close() publishes once more").isNotEmpty();
        List<MetricDatum> data = stub.requests.stream().flatMap(r -> r.metricData().stream()).toList();
        assertThat(stub.requests).allSatisfy(r -> assertThat(r.namespace()).isEqualTo("credsync/test"));
        assertThat(data).extracting(MetricDatum::metricName).anySatisfy(n -> assertThat(n).startsWith("credsync.events"))
                .allSatisfy(n -> assertThat(n).as("no JVM meters: CloudWatch bills per metric").startsWith("credsync."));
        MetricDatum events = data.stream().filter(d -> d.metricName().startsWith("credsync.events")).findFirst()
                .orElseThrow();
        assertThat(events.dimensions()).anySatisfy(d -> assertThat(d.name() + "=" + d.value()).isEqualTo("database=appdb"));
        assertThat(stub.closed).as("the export owns the client").isTrue();
        prometheus.close();
    }

    @Test
    void aFailingCloudWatchNeitherThrowsAtTheCallerNorStopsTheExport() {
        StubCloudWatch stub = new StubCloudWatch(true);
        CredsyncMeterRegistry prometheus = CredsyncMeterRegistry.create();
        CloudWatchExport export = CloudWatchExport.start(METRICS, stub, "appdb", prometheus, Clock.SYSTEM);
        Counter.builder("credsync.events").register(export.meters()).increment();

        export.close();

        assertThat(stub.requests).as("it tried").isNotEmpty();
        prometheus.close();
    }

    @Test
    void aLastPublishThatHangsIsAbandonedAtTheShutdownDeadline() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        StubCloudWatch stub = new StubCloudWatch(false) {
            @Override
            public PutMetricDataResponse putMetricData(PutMetricDataRequest request) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.putMetricData(request);
            }
        };
        CredsyncMeterRegistry prometheus = CredsyncMeterRegistry.create();
        CloudWatchExport export = CloudWatchExport.start(METRICS, stub, "appdb", prometheus, Clock.SYSTEM);
        Counter.builder("credsync.events").register(export.meters()).increment();
        long start = System.nanoTime();

        export.close(Deadline.after(Duration.ofMillis(300)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(stub.closed).as("the client is closed all the same").isTrue();
        release.countDown();
        prometheus.close();
    }

    /** Records requests; answers each, or fails each with a 503 when told to. */
    private static class StubCloudWatch implements CloudWatchClient {
        final List<PutMetricDataRequest> requests = new CopyOnWriteArrayList<>();
        final boolean fail;
        volatile boolean closed;

        StubCloudWatch(boolean fail) {
            this.fail = fail;
        }

        @Override
        public PutMetricDataResponse putMetricData(PutMetricDataRequest request) {
            requests.add(request);
            if (fail) {
                throw (CloudWatchException) CloudWatchException.builder().statusCode(503).message("unavailable")
                        .build();
            }
            return PutMetricDataResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
