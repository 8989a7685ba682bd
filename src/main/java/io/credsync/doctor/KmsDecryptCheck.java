package io.credsync.doctor;

import io.credsync.crypto.ContentDecryptor;
import io.credsync.crypto.EnvelopeException;
import io.credsync.crypto.KmsKeyUnwrapper;
import io.credsync.crypto.TransientCryptoException;
import io.credsync.keys.AwsCallException;
import io.credsync.keys.AwsErrors;
import io.credsync.keys.KeyRegistry.RegisteredKey;
import io.credsync.keys.RsaPublicKeys;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Can these AWS credentials open what the database encrypts? Wraps 64 random bytes (a content
 * key's size) to the stored public key exactly as the database does (RSAES-OAEP, SHA-256,
 * MGF1-SHA-256, empty label) and unwraps them with the consumer's own code,
 * {@link KmsKeyUnwrapper}, i.e. {@code kms:Decrypt} with {@code RSAES_OAEP_SHA_256}. Proves the
 * consumer can decrypt when doctor runs with the consumer's credentials (its task role).
 */
final class KmsDecryptCheck implements Check {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String name() {
        return "KMS decrypt";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        Optional<RegisteredKey> active = context.activeKey();
        if (active.isEmpty()) {
            throw new CheckSkipped("no active key");
        }
        String kid = active.get().kid();
        Optional<RSAPublicKey> publicKey = RsaPublicKeys.der(active.get().publicKeyPem()).flatMap(RsaPublicKeys::rsa);
        if (publicKey.isEmpty()) {
            return CheckResult.fail("the stored public key of " + kid + " is not an RSA public key",
                    "credsync keys add --kms-key KEY");
        }
        byte[] secret = new byte[ContentDecryptor.CONTENT_KEY_LENGTH];
        RANDOM.nextBytes(secret);
        byte[] unwrapped = null;
        try {
            unwrapped = new KmsKeyUnwrapper(context.kms()).unwrap(kid, wrap(publicKey.get(), secret));
            if (!Arrays.equals(secret, unwrapped)) {
                return CheckResult.fail("kms:Decrypt with " + kid + " returned other bytes than were encrypted",
                        "the stored public key is not this KMS key's: credsync keys add --kms-key KEY");
            }
            return CheckResult.ok("kms:Decrypt with " + kid + " unwrapped what was encrypted to the stored key:"
                    + " these credentials can open events");
        } catch (EnvelopeException | TransientCryptoException e) {
            if (e.getCause() instanceof SdkException) {
                throw new AwsCallException(AwsErrors.kms("Decrypt", kid, (SdkException) e.getCause()),
                        (SdkException) e.getCause());
            }
            return CheckResult.fail(e.getMessage(), "credsync keys add --kms-key KEY with a key that fits");
        } finally {
            Arrays.fill(secret, (byte) 0);
            if (unwrapped != null) {
                Arrays.fill(unwrapped, (byte) 0);
            }
        }
    }

    /** RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label: the envelope's RSA-OAEP-256. */
    static byte[] wrap(RSAPublicKey key, byte[] secret) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                PSource.PSpecified.DEFAULT));
        return cipher.doFinal(secret);
    }
}
