package io.credsync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting TCP proxy on loopback, between the consumer and an AWS emulator: it passes
 * traffic through, or refuses connections (the service unreachable), or answers every request
 * with HTTP 500 or a throttling error, as a test switches it; when passing, it can also hold each
 * piece of an answer back for a while, as a service far away would. Only ever listens on 127.0.0.1
 * and connects to the emulator's loopback address.
 *
 * <p>It also notes when each request for an AWS operation passes ({@link #requestTimes}), from
 * the {@code X-Amz-Target} header of the JSON protocol the SDK sends: what AWS would count
 * against its per-second quotas.
 *
 * <p>Started {@link #startPerRequest per request}, it reads each request and can aim a
 * {@link ProxyFault} at the next requests for one operation ({@link #inject}): drop the request
 * or the answer, cut the answer short, answer an error of the test's choosing, or hold the
 * request while the test restarts the emulator. Each connection then carries one request (both
 * sides are told {@code Connection: close}), so that a fault hits exactly the request it aims at.
 *
 * <p>Thread-safe: {@link #mode} may be switched, and faults injected, from any thread while
 * connections are served.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with each new connection. */
    public enum Mode {
        /** Forward both ways. */
        PASS,
        /** Close at once: the client sees the connection reset, as with a service it cannot reach. */
        REFUSE,
        /** Answer HTTP 500 with AWS's InternalServiceError. */
        SERVER_ERROR,
        /** Answer HTTP 400 with AWS's ThrottlingException. */
        THROTTLE
    }

    private static final String TARGET_HEADER = "x-amz-target:";

    /** How long a {@link ProxyFault.Hold} may hold a request before it is passed on regardless. */
    private static final Duration LONGEST_HOLD = Duration.ofMinutes(5);

    private final ServerSocket server;
    private final URI target;
    private final boolean perRequest;
    private final List<FaultInjection> injections = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile long latencyMillis;
    private final AtomicInteger heldBack = new AtomicInteger();
    /** When each request passed, by operation ({@code secretsmanager.PutSecretValue}), in System.nanoTime. */
    private final Map<String, List<Long>> requests = new ConcurrentHashMap<>();

    private FaultProxy(ServerSocket server, URI target, boolean perRequest) {
        this.server = server;
        this.target = target;
        this.perRequest = perRequest;
    }

    /** A proxy in front of {@code target} (an {@code http://127.0.0.1:port} endpoint), passing traffic. */
    public static FaultProxy start(URI target) throws IOException {
        return start(target, false);
    }

    /**
     * As {@link #start}, reading each request, one per connection, so that faults can be aimed at
     * single requests ({@link #inject}).
     */
    public static FaultProxy startPerRequest(URI target) throws IOException {
        return start(target, true);
    }

    private static FaultProxy start(URI target, boolean perRequest) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FaultProxy proxy = new FaultProxy(server, target, perRequest);
        Thread acceptor = new Thread(proxy::accept, "fault-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return proxy;
    }

    /** Where clients should send requests instead of the emulator. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Switches what happens to new connections; with anything but PASS, open ones are cut too. */
    public void mode(Mode mode) {
        this.mode = mode;
        if (mode != Mode.PASS) {
            open.forEach(FaultProxy::closeQuietly);
        }
    }

    /**
     * Holds back each piece of every answer by {@code latency} (zero: none), roughly the round
     * trip to a real AWS endpoint: an answer usually comes in one piece, so most calls take
     * {@code latency} longer. Measure the effect (the consumer's call timers) rather than assume it.
     */
    public void latency(Duration latency) {
        this.latencyMillis = latency.toMillis();
    }

    /**
     * How many pieces of answers have been held back by {@link #latency} so far: above zero, a
     * client is waiting for an answer in a slow call (an event a test can wait for).
     */
    public int answersHeldBack() {
        return heldBack.get();
    }

    /**
     * Aims {@code fault} at the next {@code times} requests for {@code operation} (the
     * {@code X-Amz-Target} value, such as {@code secretsmanager.PutSecretValue} or
     * {@code TrentService.Decrypt}), after those of injections made before it. Only for a proxy
     * started {@link #startPerRequest per request}.
     */
    public FaultInjection inject(String operation, ProxyFault fault, int times) {
        if (!perRequest) {
            throw new IllegalStateException("faults are aimed at requests only by a proxy started per request");
        }
        FaultInjection injection = new FaultInjection(operation, fault, times);
        injections.add(injection);
        return injection;
    }

    /** As {@link #inject(String, ProxyFault, int)}, for the next request only. */
    public FaultInjection inject(String operation, ProxyFault fault) {
        return inject(operation, fault, 1);
    }

    /**
     * When each request for {@code operation} (the {@code X-Amz-Target} value, such as
     * {@code secretsmanager.PutSecretValue}) passed the proxy so far, in {@link System#nanoTime()},
     * oldest first.
     */
    public List<Long> requestTimes(String operation) {
        List<Long> times = requests.getOrDefault(operation, List.of());
        synchronized (times) {
            return List.copyOf(times);
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        open.forEach(FaultProxy::closeQuietly);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> serve(client), "fault-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("fault proxy: accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket client) {
        open.add(client);
        try {
            switch (mode) {
                case PASS -> {
                    if (perRequest) {
                        relayOneRequest(client);
                    } else {
                        forward(client);
                    }
                }
                case REFUSE -> client.setSoLinger(true, 0);
                case SERVER_ERROR -> answer(client, 500, "Internal Server Error", "InternalServiceError");
                case THROTTLE -> answer(client, 400, "Bad Request", "ThrottlingException");
                default -> throw new IllegalStateException("mode " + mode);
            }
        } catch (IOException e) {
            // The client or the emulator went away: the connection is simply over.
            closeQuietly(client);
        } finally {
            open.remove(client);
            closeQuietly(client);
        }
    }

    private void forward(Socket client) throws IOException {
        try (Socket upstream = new Socket()) {
            open.add(upstream);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getPort()), 2_000);
            Thread back = new Thread(() -> pipe(upstream, client, true), "fault-proxy-back");
            back.setDaemon(true);
            back.start();
            pipe(client, upstream, false);
        } finally {
            closeQuietly(client);
        }
    }

    /**
     * Reads one request, applies the first injection aimed at its operation (if any), and passes
     * it on with {@code Connection: close}; the answer goes back the same way.
     */
    private void relayOneRequest(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        Optional<HttpMessageHead> head = HttpMessageHead.read(in);
        if (head.isEmpty()) {
            return;
        }
        byte[] body = in.readNBytes((int) head.get().contentLength());
        String operation = head.get().header("X-Amz-Target").orElse("");
        noteRequest(operation, System.nanoTime());
        ProxyFault fault = injections.stream().filter(i -> i.claim(operation)).findFirst()
                .map(FaultInjection::fault).orElse(null);
        if (fault instanceof ProxyFault.Hold hold) {
            try {
                hold.holdUntilReleased(LONGEST_HOLD);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reset(client);
                return;
            }
            fault = hold.then();
        }
        if (fault instanceof ProxyFault.DropRequest) {
            reset(client);
            return;
        }
        if (fault instanceof ProxyFault.Answer answer) {
            client.getOutputStream().write(answer.bytes());
            client.getOutputStream().flush();
            return;
        }
        try (Socket upstream = new Socket()) {
            open.add(upstream);
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getPort()), 2_000);
            } catch (IOException e) {
                // Nothing listens (the emulator is down or restarting): the client sees a reset.
                reset(client);
                return;
            }
            OutputStream toService = upstream.getOutputStream();
            toService.write(head.get().closingConnection());
            toService.write(body);
            toService.flush();
            relayAnswer(upstream, client, fault);
        } finally {
            closeQuietly(client);
        }
    }

    /** Copies the service's answer to the client, as {@code fault} (null: none) says. */
    private void relayAnswer(Socket upstream, Socket client, ProxyFault fault) throws IOException {
        InputStream fromService = upstream.getInputStream();
        Optional<HttpMessageHead> head = HttpMessageHead.read(fromService);
        if (head.isEmpty()) {
            reset(client);
            return;
        }
        if (fault instanceof ProxyFault.DropAnswer) {
            // Let the service finish (it acted on the request), then give the client nothing.
            fromService.readAllBytes();
            reset(client);
            return;
        }
        OutputStream toClient = client.getOutputStream();
        if (fault instanceof ProxyFault.TruncateAnswer) {
            byte[] body = fromService.readAllBytes();
            toClient.write(head.get().closingConnection());
            toClient.write(body, 0, body.length / 2);
            toClient.flush();
            return;
        }
        toClient.write(head.get().closingConnection());
        toClient.flush();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = fromService.read(buffer)) >= 0;) {
            long delay = latencyMillis;
            if (delay > 0) {
                heldBack.incrementAndGet();
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    reset(client);
                    return;
                }
            }
            toClient.write(buffer, 0, n);
            toClient.flush();
        }
    }

    /** Ends the connection with a TCP reset, as a process that dies mid-call leaves it. */
    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Copies {@code from} to {@code to} until either closes; answers are held back by the current latency. */
    private void pipe(Socket from, Socket to, boolean answers) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) >= 0;) {
                if (!answers) {
                    noteRequests(buffer, n);
                }
                long delay = answers ? latencyMillis : 0;
                if (delay > 0) {
                    heldBack.incrementAndGet();
                    Thread.sleep(delay);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed: close the other, so that neither waits for ever.
            closeQuietly(to);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(to);
        }
    }

    /** Notes the operation of each request header in a piece of what the client sent. */
    private void noteRequests(byte[] buffer, int length) {
        long now = System.nanoTime();
        String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        String lower = text.toLowerCase(Locale.ROOT);
        for (int at = lower.indexOf(TARGET_HEADER); at >= 0; at = lower.indexOf(TARGET_HEADER, at + 1)) {
            int end = text.indexOf('\r', at);
            if (end > at) {
                noteRequest(text.substring(at + TARGET_HEADER.length(), end).trim(), now);
            }
        }
    }

    private void noteRequest(String operation, long now) {
        List<Long> times = requests.computeIfAbsent(operation, k -> new ArrayList<>());
        synchronized (times) {
            times.add(now);
        }
    }

    /** Reads one request (headers, then Content-Length bytes of body) and answers it with an AWS error. */
    private static void answer(Socket client, int status, String reason, String awsCode) throws IOException {
        InputStream in = client.getInputStream();
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            headers.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        long length = headers.toString(StandardCharsets.ISO_8859_1).lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).trim()))
                .findFirst().orElse(0);
        in.skipNBytes(length);
        byte[] body = ("{\"__type\":\"" + awsCode + "\",\"message\":\"injected by the test's fault proxy\"}")
                .getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: application/x-amz-json-1.1\r\n"
                + "x-amzn-ErrorType: " + awsCode + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            if (!(e instanceof SocketException)) {
                System.err.println("fault proxy: close failed: " + e);
            }
        }
    }
}
