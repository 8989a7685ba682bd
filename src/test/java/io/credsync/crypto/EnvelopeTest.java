package io.credsync.crypto;

import static io.credsync.crypto.TestEnvelopes.KID;
import static io.credsync.crypto.TestEnvelopes.b64;
import static io.credsync.crypto.TestEnvelopes.part;
import static io.credsync.crypto.TestEnvelopes.seal;
import static io.credsync.crypto.TestEnvelopes.withHeader;
import static io.credsync.crypto.TestEnvelopes.withPart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import io.credsync.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeTest {

    @Test
    void shouldExposeTheHeaderAndPartsOfAWellFormedEnvelope() throws Exception {
        String compact = seal();

        Envelope envelope = Envelope.parse(compact);

        assertThat(envelope.kid()).isEqualTo(KID);
        assertThat(envelope.encodedHeader()).isEqualTo(part(compact, 0));
        assertThat(envelope.aad()).as("AAD is the ASCII of the encoded header, not the decoded JSON")
                .isEqualTo(part(compact, 0).getBytes(StandardCharsets.US_ASCII));
        assertThat(envelope.encryptedKey()).hasSize(256);
        assertThat(envelope.iv()).hasSize(16);
        assertThat(envelope.tag()).hasSize(32);
        assertThat(envelope.ciphertext().length % 16).isZero();
    }

    @Test
    void shouldHandOutCopiesSoThatCallersCannotAlterTheEnvelope() throws Exception {
        Envelope envelope = Envelope.parse(seal());
        byte[] tag = envelope.tag();

        envelope.tag()[0] ^= 1;

        assertThat(envelope.tag()).isEqualTo(tag);
    }

    @Test
    void shouldShowOnlyTheKidAndSizesInToString() throws Exception {
        String compact = seal();

        String text = Envelope.parse(compact).toString();

        assertThat(text).contains(KID).doesNotContain(part(compact, 1)).doesNotContain(part(compact, 3))
                .doesNotContain(part(compact, 4));
    }

    @Test
    void shouldReadTheHeaderAsJsonNotAsAString() throws Exception {
        String compact = withHeader(seal(),
                "{ \"kid\" : \"" + KID + "\",\n \"typ\":\"JWE\", \"enc\":\"A256CBC-HS512\" , \"alg\":\"RSA-OAEP-256\" }");

        assertThat(Envelope.parse(compact).kid()).as("field order, whitespace and unknown parameters don't matter")
                .isEqualTo(KID);
    }

    @Test
    void shouldRejectNullAsMalformedRatherThanCrash() {
        assertReason(null, Reason.MALFORMED);
    }

    @Test
    void shouldRejectAnOversizedEnvelopeBeforeDecodingIt() {
        // Invalid characters throughout: only a size check that comes first reports the size.
        String huge = "!".repeat(Envelope.MAX_LENGTH + 1);

        assertThatThrownBy(() -> Envelope.parse(huge)).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("more than the 65536 allowed")
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a.b.c.d", "a.b.c.d.e.f", "....."})
    void shouldRejectAnythingButFiveParts(String compact) {
        assertReason(compact, Reason.MALFORMED);
    }

    @Test
    void shouldRejectAnEnvelopeWithATrailingDot() {
        assertReason(seal() + ".", Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void shouldRejectBase64PaddingInAnyPart(int index) {
        String compact = seal();

        assertReason(withPart(compact, index, part(compact, index) + "=="), Reason.MALFORMED);
    }

    @Test
    void shouldRejectLineBreaksSuchAsPostgresEncodeWrites() {
        String compact = seal();
        String ciphertext = part(compact, 3);

        String broken = ciphertext.substring(0, 76) + "\n" + ciphertext.substring(76);

        assertReason(withPart(compact, 3, broken), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "/", " ", "%", "é"})
    void shouldRejectCharactersOutsideTheBase64UrlAlphabet(String character) {
        String compact = seal();
        String iv = part(compact, 2);

        assertReason(withPart(compact, 2, character + iv.substring(1)), Reason.MALFORMED);
    }

    @Test
    void shouldRejectANonCanonicalEncodingWithNonZeroTrailingBits() {
        // "AA" and "AB" both decode to one zero byte; only "AA" is the canonical spelling.
        assertThatThrownBy(() -> Base64Url.decode("AB", "IV")).isInstanceOf(EnvelopeException.class)
                .hasMessageContaining("canonical");
        assertThatThrownBy(() -> Base64Url.decode("AAAAA", "IV")).isInstanceOf(EnvelopeException.class);
    }

    @Test
    void shouldDecodeStrictBase64Url() throws Exception {
        assertThat(Base64Url.decode("-_8", "IV")).containsExactly(0xfb, 0xff);
        assertThat(Base64Url.decode("", "IV")).isEmpty();
    }

    static Stream<Arguments> otherAlgorithms() {
        return Stream.of(
                Arguments.of(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128CBC_HS256),
                Arguments.of(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM),
                Arguments.of(JWEAlgorithm.RSA_OAEP_512, EncryptionMethod.A256CBC_HS512));
    }

    @ParameterizedTest
    @MethodSource("otherAlgorithms")
    void shouldRejectAnyOtherAlgorithmOrEncryption(JWEAlgorithm alg, EncryptionMethod enc) {
        String compact = seal((RSAPublicKey) TestEnvelopes.rsa(2048).getPublic(),
                new JWEHeader.Builder(alg, enc).keyID(KID).build(), "{}".getBytes(StandardCharsets.UTF_8));

        assertReason(compact, Reason.UNSUPPORTED_ALGORITHM);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"alg\":\"RSA1_5\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "{\"alg\":\"rsa-oaep-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512 \",\"kid\":\"k\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\",\"zip\":\"DEF\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\",\"crit\":[\"exp\"],\"exp\":1}"
    })
    void shouldRejectUnsupportedHeaderParameters(String header) {
        assertReason(withHeader(seal(), header), Reason.UNSUPPORTED_ALGORITHM);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":42}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":null}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"a\\nb\"}",
        "{\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "{\"alg\":[\"RSA-OAEP-256\"],\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"} {}",
        "{\"alg\":'RSA-OAEP-256',\"enc\":\"A256CBC-HS512\",\"kid\":\"k\"}",
        "[\"alg\",\"RSA-OAEP-256\"]",
        "null",
        "",
        "not json"
    })
    void shouldRejectAHeaderWithoutAUsableKidOrThatIsNotOneJsonObject(String header) {
        assertReason(withHeader(seal(), header), Reason.MALFORMED);
    }

    @Test
    void shouldRejectAHeaderThatIsNotUtf8() {
        byte[] latin1 = "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"caf\u00e9\"}"
                .getBytes(StandardCharsets.ISO_8859_1);

        assertReason(withPart(seal(), 0, b64(latin1)), Reason.MALFORMED);
    }

    @Test
    void shouldRejectAnEncryptedKeyOfNoRsaKeySize() {
        assertReason(withPart(seal(), 1, b64(new byte[255])), Reason.MALFORMED);
        assertReason(withPart(seal(), 1, ""), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12, 15, 17, 32})
    void shouldRejectAnIvThatIsNotSixteenBytes(int length) {
        assertReason(withPart(seal(), 2, b64(new byte[length])), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 17, 33})
    void shouldRejectCiphertextThatIsNotWholeAesBlocks(int length) {
        assertReason(withPart(seal(), 3, b64(new byte[length])), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 33, 64})
    void shouldRejectATagThatIsNotThirtyTwoBytes(int length) {
        assertReason(withPart(seal(), 4, b64(new byte[length])), Reason.MALFORMED);
    }

    static void assertReason(String compact, Reason reason) {
        assertThatThrownBy(() -> Envelope.parse(compact)).isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(reason);
    }
}
