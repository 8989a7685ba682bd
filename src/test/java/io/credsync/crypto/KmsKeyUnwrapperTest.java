package io.credsync.crypto;

import io.credsync.testing.StubRsaKeyUnwrapper;
import static io.credsync.crypto.TestEnvelopes.EVENT_ID;
import static io.credsync.crypto.TestEnvelopes.KID;
import static io.credsync.crypto.TestEnvelopes.ROLE;
import static io.credsync.crypto.TestEnvelopes.TRICKY_PASSWORD;
import static io.credsync.crypto.TestEnvelopes.seal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.crypto.EnvelopeException.Reason;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.NotFoundException;

class KmsKeyUnwrapperTest {

    /** KmsClient's operations are default methods that throw; only Decrypt is answered here. */
    static final class StubKmsClient implements KmsClient {
        private final Function<DecryptRequest, DecryptResponse> decrypt;
        DecryptRequest lastRequest;

        StubKmsClient(Function<DecryptRequest, DecryptResponse> decrypt) {
            this.decrypt = decrypt;
        }

        @Override
        public DecryptResponse decrypt(DecryptRequest request) {
            lastRequest = request;
            return decrypt.apply(request);
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }

    /** KMS itself, played by the RSA stub: what a real Decrypt would answer. */
    private static StubKmsClient kmsHolding(StubRsaKeyUnwrapper keys) {
        return new StubKmsClient(request -> {
            try {
                byte[] key = keys.unwrap(request.keyId(), request.ciphertextBlob().asByteArray());
                return DecryptResponse.builder().keyId(request.keyId()).plaintext(SdkBytes.fromByteArray(key))
                        .encryptionAlgorithm(request.encryptionAlgorithm()).build();
            } catch (EnvelopeException e) {
                throw NotFoundException.builder().message("Invalid keyId").statusCode(400).build();
            }
        });
    }

    @Test
    void shouldAskKmsToDecryptWithTheKidAndRsaesOaepSha256() throws Exception {
        StubKmsClient kms = kmsHolding(TestEnvelopes.unwrapper());
        Envelope envelope = Envelope.parse(seal());

        byte[] key = new KmsKeyUnwrapper(kms).unwrap(envelope.kid(), envelope.encryptedKey());

        assertThat(key).hasSize(64);
        assertThat(kms.lastRequest.keyId()).isEqualTo(KID);
        assertThat(kms.lastRequest.encryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);
        assertThat(kms.lastRequest.ciphertextBlob().asByteArray()).isEqualTo(envelope.encryptedKey());
    }

    @Test
    void shouldOpenAnEnvelopeEndToEndThroughTheKmsClient() throws Exception {
        EnvelopeOpener opener = new EnvelopeOpener(new KmsKeyUnwrapper(kmsHolding(TestEnvelopes.unwrapper())));

        assertThat(opener.open(seal(), EVENT_ID, ROLE).password().reveal()).isEqualTo(TRICKY_PASSWORD);
    }

    @Test
    void shouldReportAnUnknownKidAsAPermanentFailureWithItsErrorCode() {
        KmsKeyUnwrapper unwrapper = new KmsKeyUnwrapper(kmsHolding(new StubRsaKeyUnwrapper()));

        assertThatThrownBy(() -> unwrapper.unwrap(KID, new byte[256])).isInstanceOf(EnvelopeException.class)
                .satisfies(e -> {
                    assertThat(((EnvelopeException) e).reason()).isEqualTo(Reason.UNKNOWN_KEY);
                    assertThat(((EnvelopeException) e).awsErrorCode()).contains("NotFoundException");
                });
    }

    @Test
    void shouldReportThrottlingAsTransient() {
        KmsKeyUnwrapper unwrapper = new KmsKeyUnwrapper(new StubKmsClient(request -> {
            throw KmsErrorClassifierTest.kms("ThrottlingException", 400);
        }));

        assertThatThrownBy(() -> unwrapper.unwrap(KID, new byte[256])).isInstanceOf(TransientCryptoException.class)
                .extracting(e -> ((TransientCryptoException) e).errorCode()).isEqualTo("ThrottlingException");
    }

    @Test
    void shouldReportAConnectionFailureAsTransient() {
        KmsKeyUnwrapper unwrapper = new KmsKeyUnwrapper(new StubKmsClient(request -> {
            throw SdkClientException.create("Unable to execute HTTP request: Connection refused");
        }));

        assertThatThrownBy(() -> unwrapper.unwrap(KID, new byte[256])).isInstanceOf(TransientCryptoException.class);
    }

    @Test
    void shouldRetryASuccessfulAnswerThatHoldsNoPlaintext() {
        // Every successful Decrypt has one: an answer without it was cut on the way, not a verdict.
        KmsKeyUnwrapper unwrapper = new KmsKeyUnwrapper(new StubKmsClient(
                request -> DecryptResponse.builder().keyId(request.keyId()).build()));

        assertThatThrownBy(() -> unwrapper.unwrap(KID, new byte[256])).isInstanceOf(TransientCryptoException.class)
                .extracting(e -> ((TransientCryptoException) e).errorCode()).isEqualTo("IncompleteAnswer");
    }

    @Test
    void shouldRejectAndWipeAnUnwrappedKeyThatIsNotSixtyFourBytes() {
        byte[] shortKey = new byte[32];
        Arrays.fill(shortKey, (byte) 7);
        KmsKeyUnwrapper unwrapper = new KmsKeyUnwrapper(new StubKmsClient(
                request -> DecryptResponse.builder().plaintext(SdkBytes.fromByteArrayUnsafe(shortKey)).build()));

        assertThatThrownBy(() -> unwrapper.unwrap(KID, new byte[256])).isInstanceOf(EnvelopeException.class)
                .extracting(e -> ((EnvelopeException) e).reason()).isEqualTo(Reason.BAD_CONTENT_KEY);
        assertThat(shortKey).containsOnly(0);
    }
}
