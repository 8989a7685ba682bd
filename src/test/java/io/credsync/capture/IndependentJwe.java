package io.credsync.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.RSADecrypter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.text.ParseException;
import java.util.Base64;

/**
 * Opens an envelope with Nimbus JOSE+JWT and the RSA private key: an implementation of JWE
 * that shares no code with credsync's, so it checks the SQL side against the standard.
 */
final class IndependentJwe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private IndependentJwe() {
    }

    /** The protected header exactly as the envelope encodes it. */
    static String rawHeader(String envelope) {
        String encoded = envelope.substring(0, envelope.indexOf('.'));
        return new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    /** Decrypts and returns the payload; fails unless the algorithms are the ones docs/design.md names. */
    static JsonNode open(String envelope, PrivateKey key) {
        try {
            JWEObject jwe = JWEObject.parse(envelope);
            if (!JWEAlgorithm.RSA_OAEP_256.equals(jwe.getHeader().getAlgorithm())
                    || !EncryptionMethod.A256CBC_HS512.equals(jwe.getHeader().getEncryptionMethod())) {
                throw new AssertionError("unexpected algorithms in header " + rawHeader(envelope));
            }
            jwe.decrypt(new RSADecrypter(key));
            return JSON.readTree(jwe.getPayload().toBytes());
        } catch (ParseException | JOSEException | IOException e) {
            throw new AssertionError("the envelope does not open as a standard JWE: " + e.getMessage(), e);
        }
    }
}
