package io.credsync.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.crypto.EnvelopeException.Reason;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The decrypted content of an envelope: one password change, as {@code credsync.capture}
 * recorded it.
 *
 * <p>Immutable and thread-safe. Every component is non-null except {@link #validUntil()}, which
 * is null when the role has no expiry. {@link #toString()} prints the password as {@code ****}.
 *
 * @param version the payload format, {@code v}; always {@link #VERSION}
 * @param eventId {@code event_id}: the event's identity, also its outbox row's
 * @param role {@code role}: the role whose password changed, exactly as PostgreSQL names it
 * @param password {@code password}: the new password (possibly empty)
 * @param validUntil {@code valid_until}: the role's {@code VALID UNTIL}, or null for none (or infinity)
 * @param database {@code database}: the database in which the change was made
 * @param capturedAt {@code captured_at}: when the database captured the change
 */
public record EventPayload(int version, UUID eventId, String role, Password password, OffsetDateTime validUntil,
        String database, OffsetDateTime capturedAt) {

    /** The only payload version this consumer reads. */
    public static final int VERSION = 1;

    /** Checks that every component but {@code validUntil} is present. */
    public EventPayload {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(capturedAt, "capturedAt");
    }

    /**
     * Parses the plaintext of an envelope. Strict: UTF-8, one JSON object, no duplicate keys,
     * {@code v} the integer 1, {@code event_id} a canonical UUID, timestamps ISO-8601 with an
     * offset ({@code valid_until} may also be null, absent or {@code infinity}: no expiry). Unknown fields are ignored, so that version 1 can grow. The bytes are not kept
     * or changed.
     *
     * @param plaintext the decrypted payload
     * @return the payload
     * @throws EnvelopeException BAD_PAYLOAD or UNSUPPORTED_VERSION; the message names the field,
     *     never its value
     */
    public static EventPayload parse(byte[] plaintext) throws EnvelopeException {
        JsonNode json = Json.parseObject(plaintext, "the payload", Reason.BAD_PAYLOAD);
        JsonNode v = json.get("v");
        if (v == null || !v.isIntegralNumber()) {
            throw bad("v is missing or not an integer");
        }
        if (!v.canConvertToInt() || v.intValue() != VERSION) {
            throw new EnvelopeException(Reason.UNSUPPORTED_VERSION,
                    "payload version " + (v.canConvertToInt() ? v.intValue() : "(out of range)")
                            + " is not supported; this consumer reads version " + VERSION);
        }
        return new EventPayload(
                VERSION,
                uuid(text(json, "event_id")),
                nonEmpty(json, "role"),
                Password.of(text(json, "password")),
                validUntil(json.get("valid_until")),
                nonEmpty(json, "database"),
                timestamp("captured_at", json.get("captured_at")));
    }

    private static String text(JsonNode json, String field) throws EnvelopeException {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            throw bad(field + " is missing or not a string");
        }
        return value.textValue();
    }

    private static String nonEmpty(JsonNode json, String field) throws EnvelopeException {
        String value = text(json, field);
        if (value.isEmpty()) {
            throw bad(field + " is empty");
        }
        return value;
    }

    private static UUID uuid(String text) throws EnvelopeException {
        try {
            UUID uuid = UUID.fromString(text);
            // fromString also takes forms such as "1-2-3-4-5"; PostgreSQL writes only the canonical one.
            if (uuid.toString().equals(text.toLowerCase(Locale.ROOT))) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // reported below, without the value
        }
        throw bad("event_id is not a UUID in canonical form");
    }

    /**
     * Null, absent and PostgreSQL's {@code infinity} all mean "no expiry": {@code to_json} of a
     * {@code VALID UNTIL 'infinity'} gives that word, and rejecting it would fail every change of
     * such a role over a field the secret does not even carry.
     */
    private static OffsetDateTime validUntil(JsonNode value) throws EnvelopeException {
        if (value == null || value.isNull() || "infinity".equals(value.textValue())) {
            return null;
        }
        return timestamp("valid_until", value);
    }

    private static OffsetDateTime timestamp(String field, JsonNode value) throws EnvelopeException {
        if (value == null || !value.isTextual()) {
            throw bad(field + " is missing or not a string");
        }
        try {
            return OffsetDateTime.parse(value.textValue());
        } catch (DateTimeParseException e) {
            throw bad(field + " is not an ISO-8601 timestamp with an offset");
        }
    }

    private static EnvelopeException bad(String message) {
        return new EnvelopeException(Reason.BAD_PAYLOAD, "the payload's " + message);
    }

    /** @return every field but the password, which shows as {@code ****} */
    @Override
    public String toString() {
        return "EventPayload[version=" + version + ", eventId=" + eventId + ", role=" + role + ", password="
                + password + ", validUntil=" + validUntil + ", database=" + database + ", capturedAt="
                + capturedAt + "]";
    }
}
