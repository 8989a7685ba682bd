package io.credsync.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GET requests to a process on this machine: a consumer's {@code /metrics}, {@code /health/live}
 * and {@code /health/ready}, asked by the tests and benchmarks alike.
 *
 * <p>Stateless and thread-safe: one client for all, which keeps connections alive between
 * requests.
 */
public final class LocalHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Long enough for a scrape on a loaded two-core CI machine. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private LocalHttp() {
    }

    /**
     * GET http://127.0.0.1:{port}{path}, whatever its status. Sent again once if it fails on an
     * open connection: the server may close a kept-alive connection just as the client reuses it
     * ("header parser received no bytes").
     *
     * @throws ConnectException when nothing accepts the connection
     */
    public static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(REQUEST_TIMEOUT).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw e; // nothing listens: asking again at once would not help
        } catch (IOException e) {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    /** GET http://127.0.0.1:{port}{path}: its status code, or -1 when nothing usable answered. */
    public static int status(int port, String path) throws InterruptedException {
        try {
            return get(port, path).statusCode();
        } catch (IOException e) {
            // Nothing listening, a process killed mid-answer, a reset: no status to give.
            return -1;
        }
    }

    /** GET http://127.0.0.1:{port}{path}, which must answer 200: its body. */
    public static String body(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, path);
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " on port " + port + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }
}
