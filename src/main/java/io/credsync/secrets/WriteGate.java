package io.credsync.secrets;

/**
 * What each request that stores a secret value waits on right before it is sent (see
 * {@link WriteCeilingInterceptor}): the place where the write ceiling,
 * {@code secrets.max_writes_per_second}, spaces the calls Secrets Manager receives.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface WriteGate {

    /** Returns when the next call may go; throws if interrupted while waiting. */
    void awaitTurn() throws InterruptedException;

    /** No ceiling. */
    WriteGate OPEN = () -> { };
}
