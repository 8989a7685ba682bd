package io.credsync.crypto;

import io.credsync.crypto.EnvelopeException.Reason;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;

/**
 * Unwraps content keys with {@code kms:Decrypt} ({@code KeyId} = the envelope's {@code kid},
 * {@code RSAES_OAEP_SHA_256}), so the private key never leaves KMS. Errors are classified by
 * their AWS error code (see {@code KmsErrorClassifier}): permanent ones become
 * {@link EnvelopeException}, the rest {@link TransientCryptoException}. The SDK's own retries
 * have already run when either is thrown.
 *
 * <p>Thread-safe, as {@link KmsClient} is. It does not own the client: closing it is the
 * caller's job.
 */
public final class KmsKeyUnwrapper implements KeyUnwrapper {

    /** The error code of a Decrypt that answered success without a plaintext: retried. */
    static final String INCOMPLETE_ANSWER = "IncompleteAnswer";

    private final KmsClient kms;

    /** @param kms the client to call; not null */
    public KmsKeyUnwrapper(KmsClient kms) {
        this.kms = Objects.requireNonNull(kms, "kms");
    }

    @Override
    public byte[] unwrap(String kid, byte[] encryptedKey) throws EnvelopeException, TransientCryptoException {
        DecryptRequest request = DecryptRequest.builder()
                .keyId(kid)
                .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)
                .ciphertextBlob(SdkBytes.fromByteArray(encryptedKey))
                .build();
        DecryptResponse response;
        try {
            response = kms.decrypt(request);
        } catch (SdkException e) {
            String code = KmsErrorClassifier.errorCode(e);
            Optional<Reason> permanent = KmsErrorClassifier.permanentReason(e);
            // The SDK's messages hold KMS's text, the request id and the ARN; never the blob.
            if (permanent.isPresent()) {
                throw new EnvelopeException(permanent.get(),
                        "kms:Decrypt refused the content key of kid " + kid + " (" + code + ")", code, e);
            }
            throw new TransientCryptoException(code,
                    "kms:Decrypt failed for kid " + kid + " (" + code + "); retry later", e);
        }
        SdkBytes plaintext = response.plaintext();
        if (plaintext == null) {
            // A successful Decrypt always has one: the answer was cut or mangled on the way, no verdict.
            throw new TransientCryptoException(INCOMPLETE_ANSWER,
                    "kms:Decrypt answered without a plaintext for kid " + kid + "; retry later", null);
        }
        // No copy: the response is dropped here, so the caller's array is the only one we leave.
        byte[] key = plaintext.asByteArrayUnsafe();
        if (key.length != ContentDecryptor.CONTENT_KEY_LENGTH) {
            int length = key.length;
            Arrays.fill(key, (byte) 0);
            throw new EnvelopeException(Reason.BAD_CONTENT_KEY, "the content key unwrapped with kid " + kid + " is "
                    + length + " bytes, not " + ContentDecryptor.CONTENT_KEY_LENGTH);
        }
        return key;
    }
}
