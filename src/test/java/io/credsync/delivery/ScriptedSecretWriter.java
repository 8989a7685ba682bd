package io.credsync.delivery;

import io.credsync.secrets.SecretUpdate;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretWriteResult;
import io.credsync.secrets.SecretWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link SecretWriter} that plays back scripted failures, then succeeds, and remembers every
 * update it was given. Thread-safe.
 */
final class ScriptedSecretWriter implements SecretWriter {

    private final Deque<SecretWriteException> failures = new ArrayDeque<>();
    private final List<SecretUpdate> calls = new ArrayList<>();
    private boolean failForever;

    synchronized ScriptedSecretWriter thenFail(String code, boolean transientFailure) {
        failures.add(new SecretWriteException("scripted " + code, code, transientFailure, null));
        return this;
    }

    synchronized ScriptedSecretWriter failingForever(String code) {
        thenFail(code, true);
        failForever = true;
        return this;
    }

    synchronized List<SecretUpdate> calls() {
        return List.copyOf(calls);
    }

    @Override
    public synchronized SecretWriteResult write(SecretUpdate update) throws SecretWriteException {
        calls.add(update);
        if (!failures.isEmpty()) {
            throw failForever ? failures.peek() : failures.poll();
        }
        return new SecretWriteResult("arn:aws:secretsmanager:us-east-1:111122223333:secret:" + update.secretName(),
                update.eventId().toString(), false);
    }
}
