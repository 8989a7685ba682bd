package io.credsync.metrics;

/**
 * Whether the service is ready for work, asked by {@code GET /health/ready}; supplied by the
 * code that knows (for {@code run}: streaming, and AWS answering).
 *
 * <p>Implementations must be thread-safe and quick (they run on an HTTP request thread; read
 * state kept by others, such as {@code WatchedDatabase.answering()}, rather than call out), and
 * never return null.
 */
@FunctionalInterface
public interface Readiness {

    /** The named checks as they stand now. */
    ReadinessReport check();

    /** Ready always: no checks. */
    Readiness ALWAYS = ReadinessReport::empty;
}
