package io.credsync.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * A parsed compact JWE of credsync's one profile ({@code RSA-OAEP-256} with
 * {@code A256CBC-HS512}), before any key is involved: parsing checks form, algorithms and part
 * lengths, and nothing it accepts has been authenticated yet.
 *
 * <p>Strict on purpose: an outbox row is written by our own SQL, so anything unusual is either a
 * bug there or tampering, and rejecting it before {@code kms:Decrypt} also spares the KMS quota.
 * Header parameters other than {@code alg}, {@code enc}, {@code kid}, {@code zip} and {@code crit}
 * are ignored, as RFC 7516 asks.
 *
 * <p>Immutable and thread-safe: the byte accessors return copies. No accessor returns null.
 * {@link #toString()} shows the {@code kid} and sizes only.
 */
public final class Envelope {
    /** The longest compact serialization accepted, in characters; longer is MALFORMED unread. */
    public static final int MAX_LENGTH = 64 * 1024;
    /** The only {@code alg}: RSAES-OAEP with SHA-256 and MGF1-SHA-256, KMS's RSAES_OAEP_SHA_256. */
    public static final String ALGORITHM = "RSA-OAEP-256";
    /** The only {@code enc}: AES-256-CBC with HMAC-SHA-512 truncated to 32 bytes. */
    public static final String ENCRYPTION = "A256CBC-HS512";

    static final int IV_LENGTH = 16;
    static final int TAG_LENGTH = 32;
    private static final int AES_BLOCK = 16;
    // An ARN is at most 2048 characters; a kid longer than that is no KMS key.
    private static final int MAX_KID_LENGTH = 2048;

    private final String encodedHeader;
    private final String kid;
    private final byte[] encryptedKey;
    private final byte[] iv;
    private final byte[] ciphertext;
    private final byte[] tag;

    private Envelope(String encodedHeader, String kid, byte[] encryptedKey, byte[] iv, byte[] ciphertext,
            byte[] tag) {
        this.encodedHeader = encodedHeader;
        this.kid = kid;
        this.encryptedKey = encryptedKey;
        this.iv = iv;
        this.ciphertext = ciphertext;
        this.tag = tag;
    }

    /**
     * Parses and checks a compact JWE; does no cryptography.
     *
     * @param compact the envelope column of an outbox row; null is reported as MALFORMED, so that a
     *     bad row is a failed event rather than a crash
     * @return the envelope
     * @throws EnvelopeException MALFORMED or UNSUPPORTED_ALGORITHM
     */
    public static Envelope parse(String compact) throws EnvelopeException {
        if (compact == null) {
            throw malformed("the envelope is null");
        }
        if (compact.length() > MAX_LENGTH) {
            throw malformed("the envelope is " + compact.length() + " characters long, more than the "
                    + MAX_LENGTH + " allowed");
        }
        String[] parts = split(compact);

        String encodedHeader = parts[0];
        JsonNode header = Json.parseObject(Base64Url.decode(encodedHeader, "protected header"),
                "the protected header", Reason.MALFORMED);
        String kid = checkHeader(header);

        byte[] encryptedKey = Base64Url.decode(parts[1], "encrypted key");
        byte[] iv = Base64Url.decode(parts[2], "IV");
        byte[] ciphertext = Base64Url.decode(parts[3], "ciphertext");
        byte[] tag = Base64Url.decode(parts[4], "authentication tag");
        // KMS's RSA_2048, RSA_3072 and RSA_4096 keys give exactly these lengths.
        int k = encryptedKey.length;
        if (k != 256 && k != 384 && k != 512) {
            throw malformed("the encrypted key is " + k + " bytes; an RSA 2048, 3072 or 4096 key gives 256, 384 or 512");
        }
        if (iv.length != IV_LENGTH) {
            throw malformed("the IV is " + iv.length + " bytes, not " + IV_LENGTH);
        }
        if (ciphertext.length == 0 || ciphertext.length % AES_BLOCK != 0) {
            throw malformed("the ciphertext is " + ciphertext.length + " bytes, not a positive multiple of " + AES_BLOCK);
        }
        if (tag.length != TAG_LENGTH) {
            throw malformed("the authentication tag is " + tag.length + " bytes, not " + TAG_LENGTH);
        }
        return new Envelope(encodedHeader, kid, encryptedKey, iv, ciphertext, tag);
    }

    private static String[] split(String compact) throws EnvelopeException {
        String[] parts = new String[5];
        int count = 0;
        int start = 0;
        for (int i = 0; i <= compact.length(); i++) {
            if (i == compact.length() || compact.charAt(i) == '.') {
                if (count == parts.length) {
                    throw malformed("the envelope has more than 5 dot-separated parts");
                }
                parts[count++] = compact.substring(start, i);
                start = i + 1;
            }
        }
        if (count != parts.length) {
            throw malformed("the envelope has " + count + " dot-separated parts, not 5");
        }
        return parts;
    }

    /** @return the kid, once alg, enc, zip, crit and kid are as our profile requires */
    private static String checkHeader(JsonNode header) throws EnvelopeException {
        String alg = requiredText(header, "alg");
        if (!ALGORITHM.equals(alg)) {
            throw new EnvelopeException(Reason.UNSUPPORTED_ALGORITHM,
                    "alg " + printable(alg) + " is not supported; only " + ALGORITHM + " is");
        }
        String enc = requiredText(header, "enc");
        if (!ENCRYPTION.equals(enc)) {
            throw new EnvelopeException(Reason.UNSUPPORTED_ALGORITHM,
                    "enc " + printable(enc) + " is not supported; only " + ENCRYPTION + " is");
        }
        if (header.has("zip")) {
            throw new EnvelopeException(Reason.UNSUPPORTED_ALGORITHM, "a compressed payload (zip) is not supported");
        }
        if (header.has("crit")) {
            throw new EnvelopeException(Reason.UNSUPPORTED_ALGORITHM, "critical header extensions (crit) are not supported");
        }
        String kid = requiredText(header, "kid");
        if (kid.isEmpty() || kid.length() > MAX_KID_LENGTH || kid.chars().anyMatch(Character::isISOControl)) {
            throw malformed("the kid is empty, longer than " + MAX_KID_LENGTH + " characters, or has control characters");
        }
        return kid;
    }

    private static String requiredText(JsonNode header, String name) throws EnvelopeException {
        JsonNode value = header.get(name);
        if (value == null) {
            throw malformed("the protected header has no " + name);
        }
        if (!value.isTextual()) {
            throw malformed("the protected header's " + name + " is not a string");
        }
        return value.textValue();
    }

    /** Header values are public, but not ours: quote them only when short and plain ASCII. */
    private static String printable(String value) {
        return value.length() <= 40 && value.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"')
                ? '"' + value + '"'
                : "(a " + value.length() + "-character value)";
    }

    private static EnvelopeException malformed(String message) {
        return new EnvelopeException(Reason.MALFORMED, message);
    }

    /** @return the {@code kid} header: the KMS key ARN (or id) that unwraps the content key */
    public String kid() {
        return kid;
    }

    /** @return the protected header exactly as it appears in the compact serialization */
    public String encodedHeader() {
        return encodedHeader;
    }

    /** @return the additional authenticated data: the ASCII bytes of {@link #encodedHeader()} */
    public byte[] aad() {
        return encodedHeader.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return a copy of the RSA-OAEP-wrapped content key (256, 384 or 512 bytes) */
    public byte[] encryptedKey() {
        return encryptedKey.clone();
    }

    /** @return a copy of the 16-byte IV */
    public byte[] iv() {
        return iv.clone();
    }

    /** @return a copy of the ciphertext (a positive multiple of 16 bytes) */
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** @return a copy of the 32-byte authentication tag */
    public byte[] tag() {
        return tag.clone();
    }

    @Override
    public String toString() {
        return "Envelope[kid=" + kid + ", encryptedKey=" + encryptedKey.length + " bytes, ciphertext="
                + ciphertext.length + " bytes]";
    }
}
