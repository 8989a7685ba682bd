package io.credsync.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A long-running service program (an emulator) in its own directory under the run directory:
 * started on a free loopback port, its output in {@code <name>.log}, its pid in
 * {@code <name>.pid} (so that scripts/test can kill it after a JVM killed hard).
 *
 * <p>Thread-safe. No method returns null.
 */
final class ServiceProcess implements AutoCloseable {

    private static final int START_ATTEMPTS = 3;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Path dir;
    private final Process process;
    private final int port;
    private boolean closed;

    private ServiceProcess(String name, Path dir, Process process, int port) {
        this.name = name;
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the program that {@code command} gives for a port, with {@code env} (for that port)
     * added to this JVM's environment, in {@code dir}, and waits until the port accepts
     * connections. Retries with another port when the program exits early because its port was
     * taken in the meantime.
     *
     * @param name the program's name: the log and pid files are named after it, and scripts/test
     *     only kills a pid whose command line contains it
     * @throws IllegalStateException if the program does not come up within {@code startTimeout}
     */
    static ServiceProcess start(String name, Path dir, IntFunction<List<String>> command,
            IntFunction<Map<String, String>> env, Duration startTimeout) {
        for (int attempt = 1; ; attempt++) {
            int port = PortAllocator.freePort();
            try {
                return launchAndAwait(name, dir, command, env, port, startTimeout);
            } catch (PortTaken e) {
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * As {@link #start}, but on {@code port}, where a stopped instance listened and its clients
     * still send requests: an outage ends. Waits while the old socket still holds the port.
     */
    static ServiceProcess startOn(int port, String name, Path dir, IntFunction<List<String>> command,
            IntFunction<Map<String, String>> env, Duration startTimeout) {
        for (int attempt = 1; ; attempt++) {
            try {
                return launchAndAwait(name, dir, command, env, port, startTimeout);
            } catch (PortTaken e) {
                if (attempt == START_ATTEMPTS * 10) {
                    throw e;
                }
                pause(Duration.ofMillis(200));
            }
        }
    }

    /** The program exited because its port was taken: another port, or a moment later, may do. */
    private static final class PortTaken extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTaken(IllegalStateException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static ServiceProcess launchAndAwait(String name, Path dir, IntFunction<List<String>> command,
            IntFunction<Map<String, String>> env, int port, Duration startTimeout) {
        // The log gathers every start in the directory: only this start's output says why it failed.
        int logBefore = logOf(dir, name).length();
        ServiceProcess service = launch(name, dir, command.apply(port), env.apply(port), port);
        try {
            service.awaitPort(startTimeout);
            return service;
        } catch (IllegalStateException e) {
            service.close();
            String output = service.log();
            boolean portTaken = output.substring(Math.min(logBefore, output.length())).toLowerCase()
                    .contains("address already in use");
            throw portTaken ? new PortTaken(e) : e;
        }
    }

    /** The loopback port the service listens on. */
    int port() {
        return port;
    }

    /** The file that receives the program's stdout and stderr. */
    Path logFile() {
        return dir.resolve(name + ".log");
    }

    /** The program's output so far (lenient UTF-8). */
    String log() {
        return logOf(dir, name);
    }

    private static String logOf(Path dir, String name) {
        Path file = dir.resolve(name + ".log");
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Whether the program still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash would: no chance to clean up. Waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /**
     * SIGTERM, then waits up to {@code timeout} for the program to exit.
     *
     * @return its exit code
     * @throws IllegalStateException if it still runs after {@code timeout} (it is then killed)
     */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(name + " did not exit within " + timeout + " of SIGTERM; its output:\n"
                    + log());
        }
        return process.exitValue();
    }

    /**
     * Waits up to {@code timeout} for the program to exit by itself.
     *
     * @return its exit code
     * @throws IllegalStateException if it still runs after {@code timeout} (it is left running)
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still runs after " + timeout);
        }
        return process.exitValue();
    }

    /** Stops the program: SIGTERM, then SIGKILL after a few seconds. Idempotent; the log stays. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Directories.deleteQuietly(pidFile());
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", 127.0.0.1:" + port + "]";
    }

    private static ServiceProcess launch(String name, Path dir, List<String> command, Map<String, String> env,
            int port) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()))
                .redirectInput(new File("/dev/null"));
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        ServiceProcess service = new ServiceProcess(name, dir, process, port);
        try {
            Files.writeString(service.pidFile(), process.pid() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            service.close();
            throw new UncheckedIOException("cannot write " + service.pidFile(), e);
        }
        return service;
    }

    private Path pidFile() {
        return dir.resolve(name + ".pid");
    }

    private void awaitPort(Duration timeout) {
        try {
            await(name + " listening on 127.0.0.1:" + port).atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(name + " exited with code " + process.exitValue()
                                    + " before listening on 127.0.0.1:" + port + "; its output:\n" + log());
                        }
                        return accepts();
                    });
        } catch (ConditionTimeoutException e) {
            // An IllegalStateException, which start() takes as a failed start, with what the program said.
            throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " within " + timeout
                    + "; its output:\n" + log(), e);
        }
    }

    /** Waits until nothing accepts connections on the port any more: the service is really gone. */
    void awaitPortClosed(Duration timeout) {
        try {
            await("127.0.0.1:" + port + " closed after " + name + " stopped").atMost(timeout)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> !accepts());
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("127.0.0.1:" + port + " still accepts connections " + timeout
                    + " after " + name + " stopped", e);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a port", e);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
