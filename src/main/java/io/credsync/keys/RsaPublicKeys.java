package io.credsync.keys;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RSA public keys as KMS gives them (DER SubjectPublicKeyInfo) and as credsync stores them (the
 * PEM of that DER, which {@code credsync.add_key} parses). Stateless and thread-safe.
 */
public final class RsaPublicKeys {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", Pattern.DOTALL);

    private RsaPublicKeys() {
    }

    /** The PEM {@code openssl pkey -pubout} writes: base64 in lines of 64, a trailing newline. */
    public static String pem(byte[] subjectPublicKeyInfo) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(subjectPublicKeyInfo);
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** The DER inside a {@code BEGIN PUBLIC KEY} PEM block; empty if it is not one. */
    public static Optional<byte[]> der(String pem) {
        Matcher m = PEM.matcher(pem);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getMimeDecoder().decode(m.group(1).strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The RSA key in a DER SubjectPublicKeyInfo; empty if it is not an RSA key. */
    public static Optional<RSAPublicKey> rsa(byte[] subjectPublicKeyInfo) {
        try {
            PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo));
            return key instanceof RSAPublicKey ? Optional.of((RSAPublicKey) key) : Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
