package io.credsync.crypto;

/**
 * Unwraps an envelope's content key: RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label, under
 * the private key named by the envelope's {@code kid}. In production that key lives in KMS
 * ({@link KmsKeyUnwrapper}); tests use a local private key.
 *
 * <p>Implementations must be thread-safe: one opener may be shared by delivery workers.
 */
@FunctionalInterface
public interface KeyUnwrapper {

    /**
     * @param kid the envelope's {@code kid}; never null or empty
     * @param encryptedKey the envelope's encrypted key; only read
     * @return the content key: a fresh array, never null, that the caller owns and wipes; the
     *     implementation keeps no reference to it. Implementations should check that it is
     *     {@link ContentDecryptor#CONTENT_KEY_LENGTH} bytes; the decryptor checks again.
     * @throws EnvelopeException when the key can never be unwrapped (UNKNOWN_KEY, KEY_UNUSABLE,
     *     ACCESS_DENIED, BAD_CONTENT_KEY, KMS_REJECTED)
     * @throws TransientCryptoException when no answer could be had now; the caller retries
     */
    byte[] unwrap(String kid, byte[] encryptedKey) throws EnvelopeException, TransientCryptoException;
}
