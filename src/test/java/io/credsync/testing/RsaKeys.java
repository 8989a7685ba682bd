package io.credsync.testing;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RSA key pairs for tests that play KMS's part with the private key in hand. Generating a
 * 4096-bit key takes a while, so each size is made once per JVM.
 *
 * <p>Thread-safe. No method returns null.
 */
public final class RsaKeys {

    private static final Map<Integer, KeyPair> PAIRS = new ConcurrentHashMap<>();

    private RsaKeys() {
    }

    /** A key pair of {@code bits} bits (2048, 3072 or 4096), the same one on every call. */
    public static KeyPair pair(int bits) {
        return PAIRS.computeIfAbsent(bits, RsaKeys::generate);
    }

    /** The SubjectPublicKeyInfo PEM that {@code openssl pkey -pubout} and KMS's GetPublicKey give. */
    public static String pem(PublicKey key) {
        return pem(key.getEncoded());
    }

    /** The PEM of a DER-encoded SubjectPublicKeyInfo. */
    public static String pem(byte[] subjectPublicKeyInfo) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(subjectPublicKeyInfo);
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    private static KeyPair generate(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key of " + bits + " bits", e);
        }
    }
}
