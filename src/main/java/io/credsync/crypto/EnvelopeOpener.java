package io.credsync.crypto;

import io.credsync.crypto.EnvelopeException.Reason;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * Opens an outbox row's envelope: parse, unwrap the content key, verify and decrypt, parse the
 * payload, and check that the payload belongs to the row it came in. That last check matters
 * because the envelope is encrypted to a public key: anyone could make a valid one, and only the
 * binding to the row (whose writes the database controls) makes it the row's.
 *
 * <p>The content key and the plaintext bytes are wiped as soon as they have been used, whether
 * the open succeeds or fails.
 *
 * <p>Thread-safe when its {@link KeyUnwrapper} is; it holds no other state.
 */
public final class EnvelopeOpener {
    private final KeyUnwrapper unwrapper;

    /** @param unwrapper unwraps content keys; not null */
    public EnvelopeOpener(KeyUnwrapper unwrapper) {
        this.unwrapper = Objects.requireNonNull(unwrapper, "unwrapper");
    }

    /**
     * @param compact the row's envelope (null is MALFORMED)
     * @param rowEventId the row's {@code event_id}; not null
     * @param rowRole the row's {@code role_name}; not null
     * @return the payload, whose {@code eventId} and {@code role} equal the row's
     * @throws EnvelopeException when this envelope will never open: record the event as failed
     *     with {@link EnvelopeException#reason()}
     * @throws TransientCryptoException when KMS gave no answer: retry the event later
     */
    public EventPayload open(String compact, UUID rowEventId, String rowRole)
            throws EnvelopeException, TransientCryptoException {
        Objects.requireNonNull(rowEventId, "rowEventId");
        Objects.requireNonNull(rowRole, "rowRole");
        Envelope envelope = Envelope.parse(compact);
        byte[] contentKey = Objects.requireNonNull(unwrapper.unwrap(envelope.kid(), envelope.encryptedKey()),
                "the KeyUnwrapper returned null");
        byte[] plaintext;
        try {
            plaintext = ContentDecryptor.decrypt(envelope, contentKey);
        } finally {
            Arrays.fill(contentKey, (byte) 0);
        }
        EventPayload payload;
        try {
            payload = EventPayload.parse(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        // The row's values are ours to print; the payload's are plaintext, so only the field is named.
        if (!payload.eventId().equals(rowEventId)) {
            throw new EnvelopeException(Reason.PAYLOAD_MISMATCH,
                    "the payload's event_id differs from its outbox row's (" + rowEventId + ")");
        }
        if (!payload.role().equals(rowRole)) {
            throw new EnvelopeException(Reason.PAYLOAD_MISMATCH,
                    "the payload's role differs from its outbox row's (" + rowRole + ")");
        }
        return payload;
    }
}
