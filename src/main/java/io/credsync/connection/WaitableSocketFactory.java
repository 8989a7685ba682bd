package io.credsync.connection;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Makes {@link WaitableSocket}s; named in a replication connection's {@code socketFactory}
 * property, and instantiated by PgJDBC through its public no-argument constructor. PgJDBC makes
 * an unconnected socket and connects it itself (with its connect timeout); the other methods are
 * there for completeness. Thread-safe: it holds no state.
 */
public final class WaitableSocketFactory extends SocketFactory {

    public WaitableSocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return WaitableSocket.created();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private static Socket connected(InetSocketAddress remote, InetSocketAddress... local) throws IOException {
        WaitableSocket socket = WaitableSocket.created();
        try {
            if (local.length > 0) {
                socket.bind(local[0]);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
