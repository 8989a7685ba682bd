package io.credsync.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.json.JsonMappers;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The secret's value: the JSON that RDS keeps for a database user,
 * {@code {"engine","host","port","dbname","username","password"}} with {@code port} a number,
 * merged into the secret's current value so that keys other tools put there survive.
 *
 * <p>The output is deterministic: the six keys first, in that order, then the current value's
 * other keys in their order. This matters beyond tidiness: a redelivered event then yields the
 * very string its version holds, and Secrets Manager treats a {@code PutSecretValue} with a known
 * token and the same value as a no-op.
 *
 * <p>A current value that is not a JSON object (plain text, an array, binary, broken JSON) is
 * refused, never overwritten: it belongs to something else. No message here quotes the value, and
 * Jackson's exceptions, whose messages do, are dropped.
 *
 * <p>Stateless and thread-safe. Pure: no I/O.
 */
public final class SecretValue {

    /** The keys credsync owns in a secret, in the order it writes them. */
    public static final List<String> FIELDS = List.of("engine", "host", "port", "dbname", "username", "password");

    private static final ObjectMapper MAPPER = JsonMappers.secretValue();

    private SecretValue() {
    }

    /** @return the JSON for a secret that has no value yet: the six keys only */
    public static String fresh(SecretUpdate update) {
        return write(connectionFields(update));
    }

    /**
     * @param current the secret's current {@code SecretString}
     * @param update the new password and connection fields
     * @return {@code current} with the six keys replaced (listed first) and its other keys kept
     * @throws SecretWriteException (permanent, {@link SecretWriteException#SECRET_NOT_JSON_OBJECT})
     *     when {@code current} is not a JSON object
     */
    public static String merged(String current, SecretUpdate update) throws SecretWriteException {
        Objects.requireNonNull(current, "current");
        JsonNode node = tree(current).orElseThrow(() -> notJsonObject(update.secretName(), "is not valid JSON"));
        if (node.isMissingNode()) {
            throw notJsonObject(update.secretName(), "is empty");
        }
        if (!node.isObject()) {
            throw notJsonObject(update.secretName(), "is JSON of type " + node.getNodeType().name().toLowerCase(Locale.ROOT)
                    + ", not an object");
        }
        ObjectNode value = connectionFields(update);
        for (Map.Entry<String, JsonNode> other : node.properties()) {
            if (!FIELDS.contains(other.getKey())) {
                value.set(other.getKey(), other.getValue());
            }
        }
        return write(value);
    }

    /**
     * @param value a JSON object, as {@link #fresh} and {@link #merged} return
     * @return the object without the six keys credsync owns (so without the password): what a
     *     later {@link #merged} keeps of it, in the same order
     */
    static String otherKeys(String value) {
        JsonNode node = tree(value).filter(JsonNode::isObject)
                .orElseThrow(() -> new IllegalArgumentException("not a JSON object"));
        ObjectNode others = (ObjectNode) node;
        others.remove(FIELDS);
        return write(others);
    }

    /**
     * Parses a secret's value under the rules {@link #merged} applies (trailing tokens refused), so
     * that whoever reads a secret agrees with the writer on what it holds.
     *
     * @return the value's JSON tree (a missing node for blank text); empty when it is not JSON
     */
    static Optional<JsonNode> tree(String value) {
        try {
            return Optional.ofNullable(MAPPER.readTree(value));
        } catch (JsonProcessingException e) {
            // Dropped, not attached: Jackson's message quotes the value.
            return Optional.empty();
        }
    }

    /**
     * @return the refusal for a secret whose current value is not text at all ({@code SecretBinary})
     */
    static SecretWriteException binaryValue(String secretName) {
        return notJsonObject(secretName, "is binary (SecretBinary)");
    }

    private static ObjectNode connectionFields(SecretUpdate update) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        fields.put("engine", update.engine());
        fields.put("host", update.host());
        fields.put("port", update.port());
        fields.put("dbname", update.dbname());
        fields.put("username", update.username());
        // reveal(), not the Password itself: Jackson would write its @JsonValue, "****".
        fields.put("password", update.password().reveal());
        return fields;
    }

    private static String write(ObjectNode value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // A tree of plain nodes always serializes; the exception is not attached, as it could quote it.
            throw new IllegalStateException("cannot write the secret value as JSON");
        }
    }

    private static SecretWriteException notJsonObject(String secretName, String what) {
        return new SecretWriteException("the current value of secret " + secretName + " " + what
                + "; credsync writes only into a JSON object and leaves other values alone (code "
                + SecretWriteException.SECRET_NOT_JSON_OBJECT + ")",
                SecretWriteException.SECRET_NOT_JSON_OBJECT, false, null);
    }
}
