package io.credsync.testing;

import io.credsync.crypto.EnvelopeException;
import io.credsync.crypto.EnvelopeException.Reason;
import io.credsync.crypto.KeyUnwrapper;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Unwraps like KMS's RSAES_OAEP_SHA_256, with local private keys: an unknown kid is UNKNOWN_KEY
 * and an undecryptable key BAD_CONTENT_KEY, as KMS's NotFoundException and
 * InvalidCiphertextException would be. Keeps every key it returned, so tests can see them wiped.
 *
 * <p>Thread-safe.
 */
public final class StubRsaKeyUnwrapper implements KeyUnwrapper {
    private static final OAEPParameterSpec OAEP_SHA_256 =
            new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

    private final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();
    private final List<byte[]> returned = new ArrayList<>();
    private int attempts;

    public StubRsaKeyUnwrapper with(String kid, PrivateKey key) {
        keys.put(kid, key);
        return this;
    }

    /** How many unwraps were asked for. */
    public synchronized int attempts() {

        return attempts;
    }

    /** The content keys handed out, the very arrays: a caller that wipes them leaves zeros here. */
    public synchronized List<byte[]> returned() {
        return returned;
    }

    @Override
    public synchronized byte[] unwrap(String kid, byte[] encryptedKey) throws EnvelopeException {
        attempts++;
        PrivateKey key = keys.get(kid);
        if (key == null) {
            throw new EnvelopeException(Reason.UNKNOWN_KEY, "no key " + kid);
        }
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.DECRYPT_MODE, key, OAEP_SHA_256);
            byte[] contentKey = rsa.doFinal(encryptedKey);
            returned.add(contentKey);
            return contentKey;
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException(Reason.BAD_CONTENT_KEY, "the encrypted key does not decrypt");
        }
    }
}
