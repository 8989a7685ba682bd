package io.credsync.testing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ProxyFault} aimed by {@link FaultProxy#inject} at a number of requests for one AWS
 * operation: says how many it has hit, so that a test can check that its fault really happened.
 * Thread-safe.
 */
public final class FaultInjection {

    private final String operation;
    private final ProxyFault fault;
    private final int times;
    private final AtomicInteger applied = new AtomicInteger();

    FaultInjection(String operation, ProxyFault fault, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be positive: " + times);
        }
        this.operation = Objects.requireNonNull(operation, "operation");
        this.fault = Objects.requireNonNull(fault, "fault");
        this.times = times;
    }

    /** How many requests it has hit so far. */
    public int applied() {
        return Math.min(applied.get(), times);
    }

    /** Whether it has hit every request it was aimed at. */
    public boolean isSpent() {
        return applied.get() >= times;
    }

    ProxyFault fault() {
        return fault;
    }

    /** Takes one use for a request for {@code op}; false when it is not for {@code op} or is spent. */
    boolean claim(String op) {
        if (!operation.equals(op)) {
            return false;
        }
        return applied.getAndUpdate(n -> n < times ? n + 1 : n) < times;
    }

    @Override
    public String toString() {
        return fault + " on " + operation + " (" + applied() + " of " + times + ")";
    }
}
