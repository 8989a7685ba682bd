package io.credsync.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.testing.RsaKeys;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRequirementsTest {

    private static final String ARN = "arn:aws:kms:us-east-1:111122223333:key/k";
    private static final byte[] RSA_2048 = RsaKeys.pair(2048).getPublic().getEncoded();

    @Test
    void anRsaEncryptionKeyOfferingOaepSha256Fits() {
        KmsPublicKey key = new KmsPublicKey(ARN, "RSA_2048", "ENCRYPT_DECRYPT",
                List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"), RSA_2048);

        assertThat(KeyRequirements.problems(key)).isEmpty();
        assertThat(KeyRequirements.bits(key)).contains(2048);
    }

    @Test
    void anEccSigningKeyIsRefusedForItsSpecAndItsUsageEachSayingWhatIsNeeded() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KmsPublicKey key = new KmsPublicKey(ARN, "ECC_NIST_P256", "SIGN_VERIFY", List.of(),
                ec.generateKeyPair().getPublic().getEncoded());

        assertThat(KeyRequirements.problems(key)).containsExactly(
                "its key spec is ECC_NIST_P256: credsync needs an RSA key, RSA_2048, RSA_3072 or RSA_4096"
                        + " (the database encrypts with RSA-OAEP)",
                "its key usage is SIGN_VERIFY: credsync encrypts to the key, so it needs key usage ENCRYPT_DECRYPT"
                        + " (a key's usage is fixed when it is created)");
    }

    @Test
    void anRsaSigningKeyIsRefusedForItsUsageAlone() {
        KmsPublicKey key = new KmsPublicKey(ARN, "RSA_2048", "SIGN_VERIFY", List.of(), RSA_2048);

        assertThat(KeyRequirements.problems(key)).singleElement().asString()
                .startsWith("its key usage is SIGN_VERIFY");
    }

    @Test
    void anEncryptionKeyWithoutOaepSha256IsRefused() {
        KmsPublicKey key = new KmsPublicKey(ARN, "RSA_2048", "ENCRYPT_DECRYPT", List.of("RSAES_OAEP_SHA_1"), RSA_2048);

        assertThat(KeyRequirements.problems(key)).containsExactly(
                "it offers RSAES_OAEP_SHA_1: credsync needs RSAES_OAEP_SHA_256");
    }

    @Test
    void anEncryptionKeyThatDoesNotListItsAlgorithmsFitsForEveryRsaEncryptionKeyInKmsOffersOaepSha256() {
        KmsPublicKey key = new KmsPublicKey(ARN, "RSA_2048", "ENCRYPT_DECRYPT", List.of(), RSA_2048);

        assertThat(KeyRequirements.problems(key)).isEmpty();
    }

    @Test
    void aPublicKeyOfAnotherSizeThanItsSpecIsRefused() {
        KmsPublicKey key = new KmsPublicKey(ARN, "RSA_3072", "ENCRYPT_DECRYPT", List.of("RSAES_OAEP_SHA_256"),
                RSA_2048);

        assertThat(KeyRequirements.problems(key)).containsExactly(
                "its public key has 2048 bits, not the 3072 its spec RSA_3072 says");
    }

    @Test
    void thePemIsWhatCredsyncAddKeyParses() {
        KmsPublicKey key = new KmsPublicKey(ARN, "RSA_2048", "ENCRYPT_DECRYPT", List.of("RSAES_OAEP_SHA_256"), RSA_2048);

        assertThat(key.pem()).isEqualTo(RsaKeys.pem(RSA_2048));
        assertThat(RsaPublicKeys.der(key.pem())).hasValueSatisfying(der -> assertThat(der).isEqualTo(RSA_2048));
    }
}
