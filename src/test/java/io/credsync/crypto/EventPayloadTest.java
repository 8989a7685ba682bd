package io.credsync.crypto;

import static io.credsync.crypto.TestEnvelopes.EVENT_ID;
import static io.credsync.crypto.TestEnvelopes.TRICKY_PASSWORD;
import static io.credsync.crypto.TestEnvelopes.json;
import static io.credsync.crypto.TestEnvelopes.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.crypto.EnvelopeException.Reason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventPayloadTest {

    @Test
    void shouldReadEveryField() throws Exception {
        EventPayload payload = EventPayload.parse(json(payload(TRICKY_PASSWORD)));

        assertThat(payload.version()).isEqualTo(1);
        assertThat(payload.eventId()).isEqualTo(EVENT_ID);
        assertThat(payload.role()).isEqualTo("app_user");
        assertThat(payload.password().reveal()).isEqualTo(TRICKY_PASSWORD);
        assertThat(payload.validUntil())
                .isEqualTo(OffsetDateTime.of(2031, 12, 31, 23, 59, 59, 500_000_000, ZoneOffset.ofHours(9)));
        assertThat(payload.database()).isEqualTo("orders");
        assertThat(payload.capturedAt())
                .isEqualTo(OffsetDateTime.of(2025, 6, 1, 12, 34, 56, 123_456_000, ZoneOffset.UTC));
    }

    @Test
    void shouldDecodeJsonEscapesInThePassword() throws Exception {
        String text = "{\"v\":1,\"event_id\":\"" + EVENT_ID + "\",\"role\":\"r\",\"database\":\"d\","
                + "\"password\":\"\\\"q\\\\b\\n\\u30d1\\ud83d\\udd10\\/\",\"valid_until\":null,"
                + "\"captured_at\":\"2025-06-01T12:34:56Z\"}";

        EventPayload payload = EventPayload.parse(text.getBytes(StandardCharsets.UTF_8));

        assertThat(payload.password().reveal()).isEqualTo("\"q\\b\nパ🔐/");
    }

    @Test
    void shouldReadANullOrAbsentValidUntilAsNoExpiry() throws Exception {
        Map<String, Object> withNull = payload("pw");
        withNull.put("valid_until", null);
        Map<String, Object> absent = payload("pw");
        absent.remove("valid_until");

        assertThat(EventPayload.parse(json(withNull)).validUntil()).isNull();
        assertThat(EventPayload.parse(json(absent)).validUntil()).isNull();
    }

    @Test
    void shouldIgnoreFieldsAVersionOnePayloadMayGainLater() throws Exception {
        Map<String, Object> payload = payload("pw");
        payload.put("origin", "pg_tle");

        assertThat(EventPayload.parse(json(payload)).role()).isEqualTo("app_user");
    }

    @Test
    void shouldAcceptAnEmptyPassword() throws Exception {
        assertThat(EventPayload.parse(json(payload(""))).password().reveal()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 99})
    void shouldRejectAnUnknownVersion(int version) {
        Map<String, Object> payload = payload("pw");
        payload.put("v", version);

        assertReason(json(payload), Reason.UNSUPPORTED_VERSION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v", "event_id", "role", "password", "database", "captured_at"})
    void shouldRejectAPayloadMissingARequiredField(String field) {
        Map<String, Object> payload = payload("pw");
        payload.remove(field);

        assertReason(json(payload), Reason.BAD_PAYLOAD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v", "event_id", "role", "password", "database", "captured_at"})
    void shouldRejectARequiredFieldThatIsNull(String field) {
        Map<String, Object> payload = payload("pw");
        payload.put(field, null);

        assertReason(json(payload), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectFieldsOfTheWrongType() {
        assertReason(with("v", "1"), Reason.BAD_PAYLOAD);
        assertReason(with("v", 1.0), Reason.BAD_PAYLOAD);
        assertReason(with("password", 12345), Reason.BAD_PAYLOAD);
        assertReason(with("role", ""), Reason.BAD_PAYLOAD);
        assertReason(with("database", ""), Reason.BAD_PAYLOAD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-uuid", "1-2-3-4-5", "6f1c0a523b9e4d0f8a7c5e2d1b4f9a30", ""})
    void shouldRejectAnEventIdThatIsNotACanonicalUuid(String eventId) {
        assertReason(with("event_id", eventId), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldAcceptAnUppercaseUuid() throws Exception {
        assertThat(EventPayload.parse(with("event_id", EVENT_ID.toString().toUpperCase())).eventId())
                .isEqualTo(EVENT_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-06-01T12:34:56", "2025-06-01 12:34:56+00", "-infinity", "yesterday", ""})
    void shouldRejectATimestampWithoutAnIsoOffset(String timestamp) {
        assertReason(with("captured_at", timestamp), Reason.BAD_PAYLOAD);
        assertReason(with("valid_until", timestamp), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldReadPostgresInfinityAsNoExpiryButOnlyInValidUntil() throws Exception {
        assertThat(EventPayload.parse(with("valid_until", "infinity")).validUntil()).isNull();
        assertReason(with("captured_at", "infinity"), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectDuplicateKeys() {
        String text = "{\"v\":1,\"event_id\":\"" + EVENT_ID + "\",\"role\":\"victim\",\"role\":\"app_user\","
                + "\"password\":\"pw\",\"database\":\"d\",\"captured_at\":\"2025-06-01T12:34:56Z\"}";

        assertReason(text.getBytes(StandardCharsets.UTF_8), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectContentAfterTheObject() {
        byte[] json = json(payload("pw"));
        byte[] trailing = (new String(json, StandardCharsets.UTF_8) + " {}").getBytes(StandardCharsets.UTF_8);

        assertReason(trailing, Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectBytesThatAreNotUtf8() {
        byte[] json = json(payload("caf\u00e9"));
        String text = new String(json, StandardCharsets.UTF_8);

        assertReason(text.getBytes(StandardCharsets.ISO_8859_1), Reason.BAD_PAYLOAD);
        assertReason(text.getBytes(StandardCharsets.UTF_16), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectAPayloadThatIsNotAnObject() {
        assertReason("[]".getBytes(StandardCharsets.UTF_8), Reason.BAD_PAYLOAD);
        assertReason(new byte[0], Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldNotQuoteThePasswordWhenThePayloadIsNotJson() {
        // Letters and digits only: Jackson quotes an unquoted token up to its first other character.
        String secret = "hunter2unquotedsecret";
        byte[] broken = ("{\"v\":1,\"password\":" + secret + "}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> EventPayload.parse(broken)).isInstanceOf(EnvelopeException.class)
                .satisfies(e -> assertThat(everythingPrinted(e)).doesNotContain(secret))
                .hasNoCause();
    }

    @Test
    void shouldRedactThePasswordInToString() throws Exception {
        EventPayload payload = EventPayload.parse(json(payload(TRICKY_PASSWORD)));

        assertThat(payload.toString()).contains("password=****").contains("app_user")
                .doesNotContain(TRICKY_PASSWORD).doesNotContain("パスワード");
        assertThat(String.valueOf(payload.password())).isEqualTo("****");
    }

    @Test
    void shouldRedactThePasswordWhenJacksonSerializesThePayload() throws Exception {
        EventPayload payload = EventPayload.parse(json(payload(TRICKY_PASSWORD)));

        String serialized = new ObjectMapper().findAndRegisterModules().writeValueAsString(payload.password());

        assertThat(serialized).isEqualTo("\"****\"");
    }

    @Test
    void shouldComparePasswordsByValue() {
        assertThat(Password.of("a")).isEqualTo(Password.of("a")).isNotEqualTo(Password.of("b"))
                .hasSameHashCodeAs(Password.of("b"));
    }

    static byte[] with(String field, Object value) {
        Map<String, Object> payload = payload("pw");
        payload.put(field, value);
        return json(payload);
    }

    static void assertReason(byte[] plaintext, Reason reason) {
        assertThatThrownBy(() -> EventPayload.parse(plaintext)).isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(reason);
    }

    /** The message, toString and stack trace of a throwable and all its causes. */
    static String everythingPrinted(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
