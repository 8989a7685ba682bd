package io.credsync.crypto;

import io.credsync.crypto.EnvelopeException.Reason;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts an envelope's payload with its content key: AES_256_CBC_HMAC_SHA_512 (RFC 7518,
 * sections 5.2.2 and 5.2.5). The tag is verified, in constant time, before a single block is
 * decrypted, so nothing about unauthenticated ciphertext (a padding error, say) can be observed.
 *
 * <p>Pure and stateless: thread-safe; each call uses its own {@link Mac} and {@link Cipher}. The
 * content key is only read, never kept or changed: wiping it is the caller's job.
 */
public final class ContentDecryptor {
    /** The content key's length: a 32-byte MAC key followed by a 32-byte AES-256 key. */
    public static final int CONTENT_KEY_LENGTH = 64;
    private static final int HALF = CONTENT_KEY_LENGTH / 2;

    private ContentDecryptor() {
    }

    /**
     * @param envelope the parsed envelope
     * @param contentKey the unwrapped 64-byte content key
     * @return the plaintext: a fresh array the caller owns (and should wipe after use)
     * @throws EnvelopeException BAD_CONTENT_KEY (not 64 bytes), BAD_TAG, or BAD_PAYLOAD (the tag
     *     is valid but the padding is not: the sender encrypted wrongly)
     */
    public static byte[] decrypt(Envelope envelope, byte[] contentKey) throws EnvelopeException {
        return decrypt(contentKey, envelope.aad(), envelope.iv(), envelope.ciphertext(), envelope.tag());
    }

    /** The algorithm on raw inputs, as RFC 7518 states it (and as its test vectors exercise it). */
    static byte[] decrypt(byte[] contentKey, byte[] aad, byte[] iv, byte[] ciphertext, byte[] tag)
            throws EnvelopeException {
        if (contentKey.length != CONTENT_KEY_LENGTH) {
            throw new EnvelopeException(Reason.BAD_CONTENT_KEY,
                    "the content key is " + contentKey.length + " bytes, not " + CONTENT_KEY_LENGTH);
        }
        if (iv.length != Envelope.IV_LENGTH) {
            throw new EnvelopeException(Reason.MALFORMED, "the IV is " + iv.length + " bytes, not " + Envelope.IV_LENGTH);
        }
        byte[] expected = computeTag(contentKey, aad, iv, ciphertext);
        // isEqual takes the same time wherever the first difference is (JDK 6u17 and later).
        if (!MessageDigest.isEqual(expected, tag)) {
            throw new EnvelopeException(Reason.BAD_TAG,
                    "the authentication tag does not match: the header, IV, ciphertext or tag was altered, or the content key is wrong");
        }
        try {
            Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(contentKey, HALF, HALF, "AES"), new IvParameterSpec(iv));
            return aes.doFinal(ciphertext);
        } catch (BadPaddingException | IllegalBlockSizeException e) {
            // The JDK's message says nothing about the data; still, no cause: nothing to gain from it.
            throw new EnvelopeException(Reason.BAD_PAYLOAD,
                    "the ciphertext is authentic but its padding is invalid: the sender encrypted it wrongly");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC/PKCS5Padding is unavailable in this JVM", e);
        }
    }

    /** @return the first 32 bytes of HMAC-SHA-512(MAC key, AAD || IV || ciphertext || AL) */
    static byte[] computeTag(byte[] contentKey, byte[] aad, byte[] iv, byte[] ciphertext) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA512");
            hmac.init(new SecretKeySpec(contentKey, 0, HALF, "HmacSHA512"));
            hmac.update(aad);
            hmac.update(iv);
            hmac.update(ciphertext);
            hmac.update(ByteBuffer.allocate(Long.BYTES).putLong((long) aad.length * Byte.SIZE).array());
            return Arrays.copyOf(hmac.doFinal(), Envelope.TAG_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is unavailable in this JVM", e);
        }
    }
}
