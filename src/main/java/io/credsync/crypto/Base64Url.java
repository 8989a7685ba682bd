package io.credsync.crypto;

import java.util.Base64;

/**
 * Strict base64url without padding (RFC 7515, section 2): only {@code A-Z a-z 0-9 - _}, no
 * {@code =}, no line breaks, and the canonical encoding only (unused trailing bits are zero), so
 * that one byte string has exactly one accepted spelling. Stateless and thread-safe.
 */
final class Base64Url {
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Base64Url() {
    }

    /**
     * @param text the encoded part
     * @param part the part's name for the message, such as "IV"
     * @return the decoded bytes
     * @throws EnvelopeException MALFORMED when {@code text} is not strict base64url; the message
     *     names the part and an offset, never the content
     */
    static byte[] decode(String text, String part) throws EnvelopeException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!ok) {
                throw malformed(part, "has a character outside the base64url alphabet at offset " + i
                        + (c == '=' ? " (padding is not allowed)" : ""));
            }
        }
        if (text.length() % 4 == 1) {
            throw malformed(part, "has a length that no byte string encodes to");
        }
        byte[] bytes = DECODER.decode(text);
        // Java's decoder ignores non-zero unused bits; re-encoding reveals them.
        if (!ENCODER.encodeToString(bytes).equals(text)) {
            throw malformed(part, "is not in canonical form (non-zero trailing bits)");
        }
        return bytes;
    }

    static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    private static EnvelopeException malformed(String part, String problem) {
        return new EnvelopeException(EnvelopeException.Reason.MALFORMED,
                "the " + part + " is not strict base64url: it " + problem);
    }
}
