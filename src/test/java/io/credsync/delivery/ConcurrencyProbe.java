package io.credsync.delivery;

import io.credsync.secrets.SecretUpdate;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretWriteResult;
import io.credsync.secrets.SecretWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer that counts how many writes are in flight at once, each taking a little while as a
 * real one does, and keeps the passwords written per role in the order written. Thread-safe.
 */
final class ConcurrencyProbe implements SecretWriter {

    private static final long WRITE_MILLIS = 30;

    private final SecretWriter delegate;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Map<String, List<String>> written = new ConcurrentHashMap<>();

    ConcurrencyProbe(SecretWriter delegate) {
        this.delegate = delegate;
    }

    @Override
    public SecretWriteResult write(SecretUpdate update) throws SecretWriteException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            Thread.sleep(WRITE_MILLIS);
            SecretWriteResult result = delegate.write(update);
            written.computeIfAbsent(update.username(), role -> Collections.synchronizedList(new ArrayList<>()))
                    .add(update.password().reveal());
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretWriteException("interrupted", "Interrupted", true, e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    List<String> passwordsWritten(String role) {
        return List.copyOf(written.getOrDefault(role, List.of()));
    }
}
