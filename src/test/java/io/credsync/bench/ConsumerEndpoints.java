package io.credsync.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The consumer's HTTP endpoints ({@code /metrics}, {@code /health/ready}) on its metrics port. */
final class ConsumerEndpoints {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
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

    /**
     * A GET, sent again once if it fails on an open connection: the client keeps connections
     * alive between requests, and the server may close one just as the client reuses it
     * ("header parser received no bytes").
     */
    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(REQUEST_TIMEOUT).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw e; // nothing listens: retrying at once would not help
        } catch (IOException e) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
