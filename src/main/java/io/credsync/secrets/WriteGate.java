package io.credsync.secrets;

/**
 * What a writer waits on right before each call that stores a secret value (CreateSecret,
 * PutSecretValue): the place where the write ceiling, {@code secrets.max_writes_per_second},
 * spaces the calls Secrets Manager receives. Implementations are thread-safe.
 */
@FunctionalInterface
public interface WriteGate {

    /** Returns when the next call may go; throws if interrupted while waiting. */
    void awaitTurn() throws InterruptedException;

    /** No ceiling. */
    WriteGate OPEN = () -> { };
}
