package io.credsync.crypto;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.json.JsonMappers;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict JSON for the header and the payload: UTF-8 only (decoded here, so Jackson's encoding
 * detection never sees the bytes), no duplicate keys, nothing after the value. Thread-safe: the
 * mapper is configured once and never changed.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMappers.envelope();

    private Json() {
    }

    /**
     * @param utf8 the encoded JSON
     * @param what what the bytes are, for the message ("the protected header")
     * @param reason the reason to report when they are not a JSON object
     * @return the JSON object
     * @throws EnvelopeException with {@code reason}; Jackson's exception is neither attached nor
     *     quoted, because its message quotes the input; only the line and column are kept
     */
    static JsonNode parseObject(byte[] utf8, String what, EnvelopeException.Reason reason)
            throws EnvelopeException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new EnvelopeException(reason, what + " is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new EnvelopeException(reason,
                    what + " is not valid JSON" + where + " (a syntax error, a duplicate key or trailing content)");
        }
        if (node == null || !node.isObject()) {
            throw new EnvelopeException(reason, what + " is not a JSON object");
        }
        return node;
    }
}
