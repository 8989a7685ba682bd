package io.credsync.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentDecryptorTest {
    // RFC 7518, Appendix B.3: AES_256_CBC_HMAC_SHA_512 test data.
    private static final byte[] K = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    private static final String P = "A cipher system must not be required to be secret, and it must be able to"
            + " fall into the hands of the enemy without inconvenience";
    private static final byte[] IV = hex("1af38c2dc2b96ffdd86694092341bc04");
    private static final byte[] A = "The second principle of Auguste Kerckhoffs".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] E = hex("4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd"
            + "822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b"
            + "36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3"
            + "a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b"
            + "be2638d09dd7a4930930806d0703b1f6");
    private static final byte[] T = hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5");

    @Test
    void shouldDecryptTheRfc7518TestVector() throws Exception {
        byte[] plaintext = ContentDecryptor.decrypt(K, A, IV, E, T);

        assertThat(new String(plaintext, StandardCharsets.US_ASCII)).isEqualTo(P);
    }

    @Test
    void shouldComputeTheRfc7518Tag() {
        assertThat(ContentDecryptor.computeTag(K, A, IV, E)).isEqualTo(T);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 32, 63, 65})
    void shouldRejectAContentKeyThatIsNotSixtyFourBytes(int length) {
        assertReason(() -> ContentDecryptor.decrypt(new byte[length], A, IV, E, T), Reason.BAD_CONTENT_KEY);
    }

    @Test
    void shouldRejectATamperedTag() {
        byte[] tag = T.clone();
        tag[31] ^= 1;

        assertReason(() -> ContentDecryptor.decrypt(K, A, IV, E, tag), Reason.BAD_TAG);
    }

    @Test
    void shouldRejectAlteredAdditionalData() {
        byte[] aad = A.clone();
        aad[0] ^= 1;

        assertReason(() -> ContentDecryptor.decrypt(K, aad, IV, E, T), Reason.BAD_TAG);
    }

    @Test
    void shouldRejectTheRightTagUnderTheWrongMacKey() {
        byte[] key = K.clone();
        key[0] ^= 1; // the MAC half

        assertReason(() -> ContentDecryptor.decrypt(key, A, IV, E, T), Reason.BAD_TAG);
    }

    @Test
    void shouldReportBadPaddingBehindAValidTagAsABadPayloadNotACrash() throws Exception {
        byte[] badlyPadded = encryptWithoutPadding(new byte[32]); // last byte 0: no valid PKCS#7 padding

        byte[] tag = ContentDecryptor.computeTag(K, A, IV, badlyPadded);

        assertReason(() -> ContentDecryptor.decrypt(K, A, IV, badlyPadded, tag), Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldVerifyTheTagBeforeLookingAtThePadding() throws Exception {
        byte[] badlyPadded = encryptWithoutPadding(new byte[32]);

        // Bad padding and a bad tag: only the tag may be reported, or padding would be an oracle.
        assertReason(() -> ContentDecryptor.decrypt(K, A, IV, badlyPadded, new byte[32]), Reason.BAD_TAG);
    }

    private static byte[] encryptWithoutPadding(byte[] blocks) throws Exception {
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(K, 32, 32, "AES"), new IvParameterSpec(IV));
        return aes.doFinal(blocks);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    interface Decryption {
        void run() throws Exception;
    }

    private static void assertReason(Decryption decryption, Reason reason) {
        assertThatThrownBy(decryption::run).isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(reason);
    }
}
