package io.credsync.crypto;

import io.credsync.testing.StubRsaKeyUnwrapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSAEncrypter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds envelopes with Nimbus JOSE+JWT, an implementation independent of ours, and alters them
 * part by part. RSA key pairs are generated once per size and shared by all tests.
 */
final class TestEnvelopes {
    static final String KID = "arn:aws:kms:eu-west-1:111122223333:key/0b5c1d4e-8f5a-4c1e-9d7a-2f3e4a5b6c7d";
    static final UUID EVENT_ID = UUID.fromString("6f1c0a52-3b9e-4d0f-8a7c-5e2d1b4f9a30");
    static final String ROLE = "app_user";
    /** Quotes, a backslash, newlines, a tab, Japanese and an emoji: everything JSON must escape or carry. */
    static final String TRICKY_PASSWORD = "p\"a\\ss'w\nord\r\t パスワード 🔐 end";

    private static final Map<Integer, KeyPair> KEYS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestEnvelopes() {
    }

    static KeyPair rsa(int bits) {
        return KEYS.computeIfAbsent(bits, b -> {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(b);
                return generator.generateKeyPair();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static StubRsaKeyUnwrapper unwrapper() {
        return new StubRsaKeyUnwrapper().with(KID, rsa(2048).getPrivate());
    }

    static JWEHeader header(String kid) {
        return new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256CBC_HS512).keyID(kid).build();
    }

    /** The payload as the database writes it, with the given password. */
    static Map<String, Object> payload(String password) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("v", 1);
        payload.put("event_id", EVENT_ID.toString());
        payload.put("role", ROLE);
        payload.put("password", password);
        payload.put("valid_until", "2031-12-31T23:59:59.5+09:00");
        payload.put("database", "orders");
        payload.put("captured_at", "2025-06-01T12:34:56.123456+00:00");
        return payload;
    }

    static byte[] json(Map<String, Object> payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid envelope of the default payload, to the default 2048-bit key. */
    static String seal() {
        return seal(json(payload(TRICKY_PASSWORD)));
    }

    static String seal(byte[] plaintext) {
        return seal((RSAPublicKey) rsa(2048).getPublic(), header(KID), plaintext);
    }

    static String seal(RSAPublicKey key, JWEHeader header, byte[] plaintext) {
        return seal(new RSAEncrypter(key), header, plaintext);
    }

    /** With a content key chosen by the test, to see what becomes of it. */
    static String seal(byte[] contentKey, byte[] plaintext) {
        return seal(new RSAEncrypter((RSAPublicKey) rsa(2048).getPublic(), new SecretKeySpec(contentKey, "AES")),
                header(KID), plaintext);
    }

    private static String seal(RSAEncrypter encrypter, JWEHeader header, byte[] plaintext) {
        try {
            JWEObject jwe = new JWEObject(header, new Payload(plaintext));
            jwe.encrypt(encrypter);
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String part(String compact, int index) {
        return compact.split("\\.", -1)[index];
    }

    static String withPart(String compact, int index, String part) {
        String[] parts = compact.split("\\.", -1);
        parts[index] = part;
        return String.join(".", parts);
    }

    static String withHeader(String compact, String headerJson) {
        return withPart(compact, 0, b64(headerJson.getBytes(StandardCharsets.UTF_8)));
    }

    /** Flips the lowest bit of one byte of one part. */
    static String flipBit(String compact, int index, int byteOffset) {
        byte[] bytes = Base64.getUrlDecoder().decode(part(compact, index));
        bytes[byteOffset] ^= 1;
        return withPart(compact, index, b64(bytes));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
