package io.credsync.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.delivery.DeliveryStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<Readiness> readiness = new AtomicReference<>(Readiness.ALWAYS);
    private CredsyncMeterRegistry registry;
    private MetricsServer server;

    @BeforeEach
    void start() throws IOException {
        registry = CredsyncMeterRegistry.create();
        server = MetricsServer.start("127.0.0.1", 0, registry, () -> readiness.get().check());
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    @Test
    void portZeroBindsAFreePortAndReportsIt() {
        assertThat(server.port()).as("the bound port, not the 0 asked for").isPositive();
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        new MicrometerDeliveryMetrics(registry).recordOutcome(DeliveryStatus.SYNCED, null);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsServer.TEXT_CONTENT_TYPE);
        Scrape scrape = new Scrape(response.body());
        assertThat(scrape.value("credsync_events_total", "outcome", "synced", "application", "credsync"))
                .as("credsync's meters, with the common tag").hasValue(1.0);
        assertThat(scrape.has("jvm_memory_used_bytes")).as("JVM memory is bound").isTrue();
        assertThat(scrape.has("jvm_gc_memory_allocated_bytes_total")).as("GC is bound").isTrue();
        assertThat(scrape.has("process_cpu_usage") || scrape.has("system_cpu_count")).as("processor is bound")
                .isTrue();
        assertThat(scrape.has("process_uptime_seconds")).as("uptime is bound").isTrue();
    }

    @Test
    void metricsAreServedAsOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> response = client.send(request("/metrics")
                .header("Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsServer.OPENMETRICS_CONTENT_TYPE);
        assertThat(response.body()).as("OpenMetrics ends with EOF").endsWith("# EOF\n");
    }

    @Test
    void livenessIsUpWhileTheProcessServes() throws Exception {
        HttpResponse<String> response = get("/health/live");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"status\":\"up\"}");
    }

    @Test
    void readinessIs200WhenEveryCheckPasses() throws Exception {
        readiness.set(() -> ReadinessReport.empty().with("streaming", true).with("aws", true));

        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"up\",\"checks\":{\"streaming\":true,\"aws\":true}}");
    }

    @Test
    void readinessIs503AndNamesTheFailingCheck() throws Exception {
        readiness.set(() -> ReadinessReport.empty().with("streaming", true).with("aws", false));

        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo(
                "{\"status\":\"down\",\"checks\":{\"streaming\":true,\"aws\":false},\"failing\":[\"aws\"]}");
    }

    @Test
    void readinessIs503WhenTheCheckItselfThrows() throws Exception {
        readiness.set(() -> {
            throw new IllegalStateException("boom");
        });

        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).as("no exception text in the answer").doesNotContain("boom");
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
        assertThat(get("/").statusCode()).isEqualTo(404);
    }

    @Test
    void aMethodOtherThanGetIs405AndSaysWhichIsAllowed() throws Exception {
        HttpResponse<String> response = client.send(
                request("/metrics").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void closeFreesThePort() throws Exception {
        int port = server.port();
        assertThat(get("/health/live").statusCode()).isEqualTo(200);

        server.close();

        assertThatThrownBy(() -> HttpClient.newHttpClient().send(request("/health/live").build(),
                HttpResponse.BodyHandlers.ofString()))
                .as("nothing listens any more").isInstanceOf(ConnectException.class);
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).as("the port can be bound again").isEqualTo(port);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
    }
}
