package io.credsync.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A {@link ServiceProcess} that can be stopped and started again on the same port, in the same
 * directory: an emulator through an outage, with clients that keep their endpoint.
 *
 * <p>Thread-safe. No method returns null.
 */
final class RestartableService implements AutoCloseable {

    private final String name;
    private final Path dir;
    private final IntFunction<List<String>> command;
    private final IntFunction<Map<String, String>> env;
    private final Duration startTimeout;
    private final int port;
    private ServiceProcess process;

    private RestartableService(String name, Path dir, IntFunction<List<String>> command,
            IntFunction<Map<String, String>> env, Duration startTimeout, ServiceProcess process) {
        this.name = name;
        this.dir = dir;
        this.command = command;
        this.env = env;
        this.startTimeout = startTimeout;
        this.port = process.port();
        this.process = process;
    }

    /** Starts the program on a free port, as {@link ServiceProcess#start} does. */
    static RestartableService start(String name, Path dir, IntFunction<List<String>> command,
            IntFunction<Map<String, String>> env, Duration startTimeout) {
        return new RestartableService(name, dir, command, env, startTimeout,
                ServiceProcess.start(name, dir, command, env, startTimeout));
    }

    /** The loopback port, the same after {@link #resume()}. */
    int port() {
        return port;
    }

    /** The file that receives the program's output, every start of it. */
    synchronized Path logFile() {
        return process.logFile();
    }

    /** Stops the program and waits until its port no longer accepts connections. */
    synchronized void stop() {
        process.close();
        process.awaitPortClosed(startTimeout);
    }

    /** Starts the program again on its port after {@link #stop()}; a no-op while it runs. */
    synchronized void resume() {
        if (!process.isAlive()) {
            process = ServiceProcess.startOn(port, name, dir, command, env, startTimeout);
        }
    }

    synchronized boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the program; idempotent. The directory stays. */
    @Override
    public synchronized void close() {
        process.close();
    }

    @Override
    public synchronized String toString() {
        return process.toString();
    }
}
