package io.credsync.bench;

import io.credsync.testing.LocalHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The consumer's HTTP endpoints ({@code /metrics}, {@code /health/ready}) on its metrics port. */
final class ConsumerEndpoints {

    private final int port;

    ConsumerEndpoints(int port) {
        this.port = port;
    }

    /** The Prometheus text of {@code /metrics}, parsed. */
    PrometheusText metrics() throws IOException, InterruptedException {
        return PrometheusText.parse(metricsText());
    }

    /** The text of {@code /metrics}, as a scraper gets it. */
    String metricsText() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/metrics on port " + port + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** What {@code /health/ready} answers: its status code and its JSON body. */
    HttpResponse<String> readiness() throws IOException, InterruptedException {
        return get("/health/ready");
    }

    /**
     * Polls {@code /health/ready} every 5 ms until it answers 200.
     *
     * @return {@link System#nanoTime()} when it first did
     */
    long awaitReady(Duration timeout) throws IOException, InterruptedException {
        Deadline deadline = Deadline.in(timeout);
        while (true) {
            try {
                if (get("/health/ready").statusCode() == 200) {
                    return System.nanoTime();
                }
            } catch (ConnectException e) {
                // Not listening yet (or any more): keep asking until the deadline.
            }
            deadline.check("/health/ready on port " + port + " answering 200");
            Thread.sleep(5);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return LocalHttp.get(port, path);
    }
}
