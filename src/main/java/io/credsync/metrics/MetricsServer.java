package io.credsync.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.credsync.json.JsonMappers;
import io.credsync.lifecycle.Deadline;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoints, on the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: the registry in Prometheus text format (version 0.0.4), or
 *       OpenMetrics when the {@code Accept} header asks for it;
 *   <li>{@code GET /health/live}: 200 {@code {"status":"up"}} while the process serves at all;
 *   <li>{@code GET /health/ready}: 200 when every {@link Readiness} check passes, else 503,
 *       with the checks and the names of the failing ones as JSON;
 *   <li>404 for any other path, 405 for any other method on these paths.
 * </ul>
 *
 * <p>Thread-safe. Requests run on a small bounded pool this server owns (when it is full,
 * the accepting thread serves the request itself, slowing clients down rather than dropping
 * them); {@link #close()} stops accepting and shuts the pool down.
 */
public final class MetricsServer implements AutoCloseable {

    static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String JSON_CONTENT_TYPE = "application/json";

    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private static final ObjectMapper JSON = JsonMappers.output();
    private static final int THREADS = 2;
    private static final int QUEUE = 32;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MetricsServer(HttpServer server, ThreadPoolExecutor executor, PrometheusMeterRegistry registry,
            Readiness readiness) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.readiness = readiness;
    }

    /**
     * Binds {@code host}:{@code port} (port 0 for any free one) and starts serving.
     *
     * @throws IOException if the address cannot be bound
     */
    public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry, Readiness readiness)
            throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(readiness, "readiness");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), daemonThreads(), new ThreadPoolExecutor.CallerRunsPolicy());
        MetricsServer metricsServer = new MetricsServer(server, executor, registry, readiness);
        server.createContext("/", metricsServer::handle);
        server.setExecutor(executor);
        server.start();
        log.info("serving metrics and health on {}:{}", host, metricsServer.port());
        return metricsServer;
    }

    /** The bound port: the one asked for, or the one chosen for port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** As {@link #close(Deadline)}, with 5 s to spare. */
    @Override
    public void close() {
        close(Deadline.after(SHUTDOWN_TIMEOUT));
    }

    /**
     * Stops accepting, ends exchanges in progress, and shuts the pool down, waiting for requests
     * in progress until {@code deadline}. Idempotent.
     */
    public void close(Deadline deadline) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop(0);
        } catch (RuntimeException e) {
            log.debug("stopping the HTTP server failed: {}", e.getClass().getName());
        }
        executor.shutdown();
        try {
            if (!deadline.awaitTermination(executor)) {
                log.warn("metrics HTTP requests did not finish by the shutdown deadline; abandoning them");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
            if (!known) {
                send(exchange, 404, JSON_CONTENT_TYPE, json(Map.of("error", "not found")));
            } else if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                send(exchange, 405, JSON_CONTENT_TYPE, json(Map.of("error", "method not allowed")));
            } else if (path.equals("/metrics")) {
                metrics(exchange);
            } else if (path.equals("/health/live")) {
                send(exchange, 200, JSON_CONTENT_TYPE, json(Map.of("status", "up")));
            } else {
                ready(exchange);
            }
        } catch (IOException e) {
            log.debug("HTTP exchange failed: {}", e.getClass().getName());
        } catch (RuntimeException e) {
            // A bug, or a meter that failed to read: answer 500 if nothing was sent yet, and
            // keep serving. The class only: a message might quote data.
            log.warn("an HTTP request failed: {}", e.getClass().getName());
            if (exchange.getResponseCode() == -1) {
                try {
                    send(exchange, 500, JSON_CONTENT_TYPE, json(Map.of("error", "internal error")));
                } catch (IOException | RuntimeException ignored) {
                    // The client gets a closed connection instead; nothing more to do.
                }
            }
        } finally {
            exchange.close();
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        registry.scrape(body, contentType);
        send(exchange, 200, contentType, body.toByteArray());
    }

    private void ready(HttpExchange exchange) throws IOException {
        ReadinessReport report;
        try {
            report = Objects.requireNonNull(readiness.check(), "readiness report");
        } catch (RuntimeException e) {
            log.warn("the readiness check failed: {}", e.getClass().getName());
            send(exchange, 503, JSON_CONTENT_TYPE, json(Map.of("status", "down", "error", "readiness check failed")));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.ready() ? "up" : "down");
        body.put("checks", report.checks());
        if (!report.ready()) {
            body.put("failing", report.failing());
        }
        send(exchange, report.ready() ? 200 : 503, JSON_CONTENT_TYPE, json(body));
    }

    private static byte[] json(Map<String, ?> body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON body", e);
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "credsync-metrics-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
