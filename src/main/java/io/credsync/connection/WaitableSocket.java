package io.credsync.connection;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A plain TCP socket for a replication connection whose owner can wait, with a timeout, until
 * the server has sent something, and be woken from another thread. Why: PgJDBC's non-blocking
 * {@code readPending()} returns at once, and its blocking {@code read()} cannot be used as it is
 * (in 42.7.14 it answers a keepalive only when the next message arrives, so an idle server drops
 * the connection after {@code wal_sender_timeout}, unless the connection sets a
 * {@code socketTimeout}, and then the first timed-out read deactivates the copy, pgjdbc issue
 * 4328). So the replication thread calls {@code readPending()} until it has nothing, then waits
 * here, where a wait costs nothing until the server sends a byte, the timeout passes, or
 * {@link #wakeUp()} is called.
 *
 * <p>The wait reads one byte ahead, which the stream then hands to PgJDBC first. It reads the
 * raw socket, under TLS too: PgJDBC has nothing buffered (TLS records included) once
 * {@code readPending()} returned nothing, so whatever comes next arrives on this socket first.
 *
 * <p>Made by {@link WaitableSocketFactory}, which PgJDBC instantiates from the connection's
 * {@code socketFactory} property; {@link #capture()} finds the socket a connection attempt on
 * the calling thread made. Threads: one thread reads (PgJDBC's reads and {@link #await} alike);
 * {@link #wakeUp()} may be called from any thread.
 */
public final class WaitableSocket extends Socket {

    /** What a wait ended with. */
    public enum Wait {
        /** The server sent something: {@code readPending()} has it. */
        READABLE,
        /** The timeout passed with nothing from the server. */
        TIMED_OUT,
        /** The server closed the connection, or {@link #wakeUp()} ended the socket's input. */
        CLOSED
    }

    private static final ThreadLocal<Capture> CAPTURES = new ThreadLocal<>();

    private final Object lock = new Object();
    private LookAheadStream input;
    // Guarded by lock.
    private boolean waiting;
    private boolean woken;

    WaitableSocket() {
    }

    /**
     * Starts noting the sockets made on this thread, until the capture is closed; a connection
     * attempt may make more than one (PgJDBC tries another host or TLS mode): the last counts.
     */
    public static Capture capture() {
        Capture capture = new Capture();
        CAPTURES.set(capture);
        return capture;
    }

    /** The sockets {@link WaitableSocketFactory} makes on a thread while a capture is open. */
    public static final class Capture implements AutoCloseable {
        private WaitableSocket last;

        private Capture() {
        }

        /** The last socket made on this thread since the capture began; empty if none. */
        public Optional<WaitableSocket> socket() {
            return Optional.ofNullable(last);
        }

        @Override
        public void close() {
            CAPTURES.remove();
        }
    }

    static WaitableSocket created() {
        WaitableSocket socket = new WaitableSocket();
        Capture capture = CAPTURES.get();
        if (capture != null) {
            capture.last = socket;
        }
        return socket;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        synchronized (lock) {
            if (input == null) {
                input = new LookAheadStream(super.getInputStream());
            }
            return input;
        }
    }

    /**
     * Blocks until the server sends something, {@code timeout} passes, or {@link #wakeUp()} is
     * called (before or during the wait). Call it on the reading thread only, and only when
     * PgJDBC has nothing buffered: right after {@code readPending()} returned null.
     */
    public Wait await(Duration timeout) throws IOException {
        LookAheadStream in = (LookAheadStream) getInputStream();
        synchronized (lock) {
            if (woken) {
                return Wait.CLOSED;
            }
            waiting = true;
        }
        int previousTimeout = getSoTimeout();
        try {
            setSoTimeout(Math.toIntExact(Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()))));
            return in.readAhead() ? Wait.READABLE : Wait.CLOSED;
        } catch (SocketTimeoutException e) {
            return Wait.TIMED_OUT;
        } finally {
            synchronized (lock) {
                waiting = false;
            }
            if (!isClosed()) {
                setSoTimeout(previousTimeout);
            }
        }
    }

    /**
     * Ends a wait in progress at once, and makes any later one return {@link Wait#CLOSED}: the
     * socket's input is shut, its output still works (for a last status update). For stopping.
     * Any thread; idempotent.
     */
    public void wakeUp() {
        synchronized (lock) {
            woken = true;
            if (waiting && !isClosed() && !isInputShutdown()) {
                try {
                    // A read blocked in another thread returns end-of-stream at once.
                    shutdownInput();
                } catch (IOException e) {
                    // The socket is already unusable: the wait ends with an error of its own.
                }
            }
        }
    }

    /** The socket's input, with at most one byte read ahead by {@link #await}. */
    private static final class LookAheadStream extends FilterInputStream {
        private int ahead = -1;

        LookAheadStream(InputStream in) {
            super(in);
        }

        /** Reads one byte ahead, blocking; false at the end of the stream. */
        boolean readAhead() throws IOException {
            if (ahead >= 0) {
                return true;
            }
            int b = in.read();
            if (b < 0) {
                return false;
            }
            ahead = b;
            return true;
        }

        @Override
        public int read() throws IOException {
            if (ahead >= 0) {
                int b = ahead;
                ahead = -1;
                return b;
            }
            return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (ahead >= 0) {
                buffer[offset] = (byte) ahead;
                ahead = -1;
                return 1;
            }
            return in.read(buffer, offset, length);
        }

        @Override
        public int available() throws IOException {
            return (ahead >= 0 ? 1 : 0) + in.available();
        }

        @Override
        public long skip(long n) throws IOException {
            if (n > 0 && ahead >= 0) {
                ahead = -1;
                return 1;
            }
            return in.skip(n);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
