package io.credsync.delivery;

import io.credsync.crypto.EnvelopeException;
import io.credsync.crypto.KeyUnwrapper;
import io.credsync.crypto.TransientCryptoException;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretWriteResult;
import io.credsync.secrets.SecretWriter;
import java.util.Objects;

/**
 * Whether KMS and Secrets Manager answer now, as the last call to each found: the {@code kms}
 * and {@code secretsmanager} readiness checks. A call that got no usable answer (unreachable,
 * timed out, throttled, a 5xx) makes its service unanswering; the next call that gets an
 * answer, a refusal included, makes it answering again.
 *
 * <p>Only calls decide: an event that is rejected or superseded before its secret is written
 * says nothing about Secrets Manager, so it leaves that service as its last call left it. Calls
 * are seen through {@link #watching(KeyUnwrapper)} and {@link #watching(SecretWriter)}, which the
 * delivery's calls go through.
 *
 * <p>Thread-safe: role threads record, HTTP threads read. Both services count as answering
 * until a call says otherwise.
 */
public final class AwsAnswers {

    private volatile boolean kmsAnswering = true;
    private volatile boolean secretsManagerAnswering = true;

    /** Whether the last KMS call got an answer. Any thread. */
    public boolean kmsAnswering() {
        return kmsAnswering;
    }

    /** Whether the last Secrets Manager call got an answer. Any thread. */
    public boolean secretsManagerAnswering() {
        return secretsManagerAnswering;
    }

    /**
     * {@code unwrapper}, telling this object what each call found: a content key or a permanent
     * refusal ({@link EnvelopeException}) is an answer, a {@link TransientCryptoException} is
     * none. The opener calls it only for an envelope it could parse, so an envelope refused
     * before KMS is asked says nothing.
     */
    public KeyUnwrapper watching(KeyUnwrapper unwrapper) {
        Objects.requireNonNull(unwrapper, "unwrapper");
        return (kid, encryptedKey) -> {
            try {
                byte[] key = unwrapper.unwrap(kid, encryptedKey);
                kmsAnswering = true;
                return key;
            } catch (EnvelopeException e) {
                // KMS refused this key (or returned an unusable one): an answer about the event.
                kmsAnswering = true;
                throw e;
            } catch (TransientCryptoException e) {
                kmsAnswering = false;
                throw e;
            }
        };
    }

    /**
     * {@code writer}, telling this object what each write found: a written secret or a permanent
     * refusal is an answer, a transient failure is none.
     */
    public SecretWriter watching(SecretWriter writer) {
        Objects.requireNonNull(writer, "writer");
        return update -> {
            try {
                SecretWriteResult result = writer.write(update);
                secretsManagerAnswering = true;
                return result;
            } catch (SecretWriteException e) {
                secretsManagerAnswering = !e.isTransient();
                throw e;
            }
        };
    }
}
