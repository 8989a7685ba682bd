package io.credsync.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Closes, when the JVM exits, every service that the tests started and did not close.
 *
 * <p>Services register when they start and unregister when they close; one shutdown hook
 * closes what is left, newest first, each in its own try. Thread-safe.
 */
final class JvmShutdown {

    private static final Set<AutoCloseable> open = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(JvmShutdown::closeAll, "credsync-test-shutdown"));
    }

    private JvmShutdown() {
    }

    /** Makes the shutdown hook close {@code resource} unless it is unregistered first. */
    static synchronized void register(AutoCloseable resource) {
        open.add(resource);
    }

    /** Forgets {@code resource}; a no-op when it is not registered. */
    static synchronized void unregister(AutoCloseable resource) {
        open.remove(resource);
    }

    private static void closeAll() {
        List<AutoCloseable> snapshot;
        synchronized (JvmShutdown.class) {
            snapshot = new ArrayList<>(open);
        }
        Collections.reverse(snapshot);
        for (AutoCloseable resource : snapshot) {
            try {
                resource.close();
            } catch (Exception | Error e) {
                // Keep closing the rest: a leaked cluster is worse than a lost stack trace.
                System.err.println("credsync test shutdown: closing " + resource + " failed: " + e);
            }
        }
    }
}
