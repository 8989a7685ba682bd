package io.credsync.crypto;

import io.credsync.testing.StubRsaKeyUnwrapper;
import static io.credsync.crypto.EventPayloadTest.everythingPrinted;
import static io.credsync.crypto.TestEnvelopes.EVENT_ID;
import static io.credsync.crypto.TestEnvelopes.KID;
import static io.credsync.crypto.TestEnvelopes.ROLE;
import static io.credsync.crypto.TestEnvelopes.TRICKY_PASSWORD;
import static io.credsync.crypto.TestEnvelopes.flipBit;
import static io.credsync.crypto.TestEnvelopes.header;
import static io.credsync.crypto.TestEnvelopes.json;
import static io.credsync.crypto.TestEnvelopes.part;
import static io.credsync.crypto.TestEnvelopes.payload;
import static io.credsync.crypto.TestEnvelopes.seal;
import static io.credsync.crypto.TestEnvelopes.withHeader;
import static io.credsync.crypto.TestEnvelopes.withPart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeOpenerTest {
    private final StubRsaKeyUnwrapper unwrapper = TestEnvelopes.unwrapper();
    private final EnvelopeOpener opener = new EnvelopeOpener(unwrapper);

    @ParameterizedTest(name = "RSA {0}")
    @ValueSource(ints = {2048, 3072, 4096})
    void shouldOpenWhatAnIndependentJoseLibrarySealedForEachKmsKeySize(int bits) throws Exception {
        KeyPair keys = TestEnvelopes.rsa(bits);
        String kid = KID.replace("key/", "key/" + bits + "-");
        String compact = seal((RSAPublicKey) keys.getPublic(), header(kid), json(payload(TRICKY_PASSWORD)));

        EventPayload payload = new EnvelopeOpener(new StubRsaKeyUnwrapper().with(kid, keys.getPrivate()))
                .open(compact, EVENT_ID, ROLE);

        assertThat(payload.version()).isEqualTo(1);
        assertThat(payload.eventId()).isEqualTo(EVENT_ID);
        assertThat(payload.role()).isEqualTo(ROLE);
        assertThat(payload.password().reveal()).isEqualTo(TRICKY_PASSWORD);
        assertThat(payload.validUntil())
                .isEqualTo(OffsetDateTime.of(2031, 12, 31, 23, 59, 59, 500_000_000, ZoneOffset.ofHours(9)));
        assertThat(payload.database()).isEqualTo("orders");
        assertThat(payload.capturedAt())
                .isEqualTo(OffsetDateTime.of(2025, 6, 1, 12, 34, 56, 123_456_000, ZoneOffset.UTC));
    }

    @Test
    void shouldOpenAPayloadWithNoExpiryAndAPasswordOfOnlyEscapes() throws Exception {
        Map<String, Object> payload = payload("\"\\\n\u0001\u007f\u2028");
        payload.put("valid_until", null);

        EventPayload opened = opener.open(seal(json(payload)), EVENT_ID, ROLE);

        assertThat(opened.password().reveal()).isEqualTo("\"\\\n\u0001\u007f\u2028");
        assertThat(opened.validUntil()).isNull();
    }

    @Test
    void shouldRejectTamperedCiphertext() {
        assertReason(flipBit(seal(), 3, 0), Reason.BAD_TAG);
        assertReason(flipBit(seal(), 3, 31), Reason.BAD_TAG);
    }

    @Test
    void shouldRejectCiphertextCutShortByABlock() {
        String compact = seal();
        byte[] ciphertext = Base64.getUrlDecoder().decode(part(compact, 3));
        byte[] shorter = Arrays.copyOf(ciphertext, ciphertext.length - 16);

        assertReason(withPart(compact, 3, TestEnvelopes.b64(shorter)), Reason.BAD_TAG);
    }

    @Test
    void shouldRejectATamperedTag() {
        assertReason(flipBit(seal(), 4, 31), Reason.BAD_TAG);
    }

    @Test
    void shouldRejectATamperedIv() {
        assertReason(flipBit(seal(), 2, 0), Reason.BAD_TAG);
    }

    @Test
    void shouldRejectAHeaderChangedIntoAnotherValidHeader() {
        // The same parameters, spelled differently: the JSON still parses, but the AAD changed.
        String compact = withHeader(seal(),
                "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + KID + "\",\"typ\":\"JWE\"}");

        assertReason(compact, Reason.BAD_TAG);
    }

    @Test
    void shouldRejectAHeaderThatNoLongerParsesWithoutAskingForTheKey() {
        String compact = seal();
        String header = new String(Base64.getUrlDecoder().decode(part(compact, 0)), StandardCharsets.UTF_8);

        assertReason(withHeader(compact, header.replace("{", "[")), Reason.MALFORMED);
        assertThat(unwrapper.attempts()).as("no KMS call for an envelope that does not parse").isZero();
    }

    @Test
    void shouldRejectATamperedEncryptedKey() {
        assertReason(flipBit(seal(), 1, 100), Reason.BAD_CONTENT_KEY);
    }

    @Test
    void shouldRejectAnEnvelopeForAKeyNobodyHas() {
        KeyPair stranger = TestEnvelopes.rsa(3072);
        String compact = seal((RSAPublicKey) stranger.getPublic(), header("arn:aws:kms:eu-west-1:1:key/gone"),
                json(payload("pw")));

        assertReason(compact, Reason.UNKNOWN_KEY);
    }

    @Test
    void shouldRejectAPayloadWhoseRoleIsNotTheRowsRole() {
        String compact = seal();

        assertThatThrownBy(() -> opener.open(compact, EVENT_ID, "another_role"))
                .isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(Reason.PAYLOAD_MISMATCH);
    }

    @Test
    void shouldRejectAPayloadWhoseEventIdIsNotTheRowsEventId() {
        String compact = seal();

        assertThatThrownBy(() -> opener.open(compact, UUID.randomUUID(), ROLE))
                .isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(Reason.PAYLOAD_MISMATCH);
    }

    @Test
    void shouldRejectARoleThatDiffersOnlyInCase() {
        assertThatThrownBy(() -> opener.open(seal(), EVENT_ID, ROLE.toUpperCase()))
                .isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(Reason.PAYLOAD_MISMATCH);
    }

    @Test
    void shouldNeverPrintThePasswordInAnyFailure() {
        // Letters and digits only, so that a parser quoting an unquoted token would quote all of it.
        String password = "Sup3rS3cret" + UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> wrongVersion = payload(password);
        wrongVersion.put("v", 2);
        Map<String, Object> badTimestamp = payload(password);
        badTimestamp.put("captured_at", password);
        Map<String, Object> badEventId = payload(password);
        badEventId.put("event_id", password);
        String notJson = "{\"v\":1,\"password\":" + password + "}";

        String[] envelopes = {
            seal(json(payload(password))), // opened against the wrong row below
            seal(json(wrongVersion)),
            seal(json(badTimestamp)),
            seal(json(badEventId)),
            seal(notJson.getBytes(StandardCharsets.UTF_8)),
            flipBit(seal(json(payload(password))), 3, 5)
        };
        for (String compact : envelopes) {
            assertThatThrownBy(() -> opener.open(compact, EVENT_ID, "someone_else"))
                    .isInstanceOf(EnvelopeException.class)
                    .satisfies(e -> assertThat(everythingPrinted(e)).doesNotContain(password)
                            .doesNotContain(part(compact, 3)));
        }
    }

    @Test
    void shouldWipeTheContentKeyAfterASuccessfulOpen() throws Exception {
        opener.open(seal(), EVENT_ID, ROLE);

        assertThat(unwrapper.returned()).hasSize(1);
        assertThat(unwrapper.returned().get(0)).hasSize(64).containsOnly(0);
    }

    @Test
    void shouldWipeTheContentKeyAfterAFailedOpen() {
        assertReason(flipBit(seal(), 4, 0), Reason.BAD_TAG);
        assertReason(seal(), UUID.randomUUID(), Reason.PAYLOAD_MISMATCH);

        assertThat(unwrapper.returned()).hasSize(2).allSatisfy(key -> assertThat(key).containsOnly(0));
    }

    @Test
    void shouldRejectAContentKeyOfTheWrongLengthFromTheUnwrapper() {
        EnvelopeOpener shortKeys = new EnvelopeOpener((kid, encryptedKey) -> new byte[32]);

        assertThatThrownBy(() -> shortKeys.open(seal(), EVENT_ID, ROLE)).isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(Reason.BAD_CONTENT_KEY);
    }

    @Test
    void shouldPassATransientFailureThroughForTheCallerToRetry() {
        EnvelopeOpener throttled = new EnvelopeOpener((kid, encryptedKey) -> {
            throw new TransientCryptoException("ThrottlingException", "slow down", null);
        });

        assertThatThrownBy(() -> throttled.open(seal(), EVENT_ID, ROLE))
                .isInstanceOf(TransientCryptoException.class);
    }

    @Test
    void shouldDecryptWithTheContentKeyTheSenderChose() throws Exception {
        byte[] contentKey = new byte[64];
        for (int i = 0; i < contentKey.length; i++) {
            contentKey[i] = (byte) (i + 1);
        }
        String compact = seal(contentKey.clone(), json(payload("pw")));

        byte[] plaintext = ContentDecryptor.decrypt(Envelope.parse(compact), contentKey);

        assertThat(EventPayload.parse(plaintext).password().reveal()).isEqualTo("pw");
    }

    private void assertReason(String compact, Reason reason) {
        assertReason(compact, EVENT_ID, reason);
    }

    private void assertReason(String compact, UUID rowEventId, Reason reason) {
        assertThatThrownBy(() -> opener.open(compact, rowEventId, ROLE)).isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(reason);
    }
}
