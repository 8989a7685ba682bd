package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds free TCP ports on the loopback interface for the services the tests start.
 *
 * <p>A port is free when the kernel hands it out for an ephemeral bind; the socket is closed
 * again at once, so another process may still take the port before the service binds it:
 * callers detect that and retry with a new port. Within this JVM no port is handed out twice.
 *
 * <p>Thread-safe.
 */
public final class PortAllocator {

    private static final int MAX_ATTEMPTS = 100;

    private static final Set<Integer> handedOut = new HashSet<>();

    private PortAllocator() {
    }

    /**
     * Returns a TCP port that was free on 127.0.0.1 a moment ago and that this JVM has not handed
     * out before.
     *
     * @throws UncheckedIOException if no socket could be bound
     * @throws IllegalStateException if no new port turned up after many attempts
     */
    public static synchronized int freePort() {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int port = ephemeralPort();
            if (handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port found in " + MAX_ATTEMPTS + " attempts");
    }

    private static int ephemeralPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback socket", e);
        }
    }
}
