package io.credsync.keys;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What {@code kms:GetPublicKey} says about a KMS key. Immutable and thread-safe: the DER is
 * copied in and out.
 *
 * @param keyArn the key's ARN (KMS answers with it whatever id or alias was asked): the {@code kid}
 * @param keySpec e.g. {@code RSA_2048}; empty if KMS gave none
 * @param keyUsage e.g. {@code ENCRYPT_DECRYPT}; empty if KMS gave none
 * @param encryptionAlgorithms e.g. {@code RSAES_OAEP_SHA_256}; empty for a signing key
 * @param subjectPublicKeyInfo the public key, DER
 */
public record KmsPublicKey(String keyArn, String keySpec, String keyUsage, List<String> encryptionAlgorithms,
        byte[] subjectPublicKeyInfo) {

    public KmsPublicKey {
        Objects.requireNonNull(keyArn, "keyArn");
        Objects.requireNonNull(keySpec, "keySpec");
        Objects.requireNonNull(keyUsage, "keyUsage");
        encryptionAlgorithms = List.copyOf(encryptionAlgorithms);
        subjectPublicKeyInfo = subjectPublicKeyInfo.clone();
    }

    @Override
    public byte[] subjectPublicKeyInfo() {
        return subjectPublicKeyInfo.clone();
    }

    /** The PEM credsync.add_key takes. */
    public String pem() {
        return RsaPublicKeys.pem(subjectPublicKeyInfo);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KmsPublicKey k && keyArn.equals(k.keyArn) && keySpec.equals(k.keySpec)
                && keyUsage.equals(k.keyUsage) && encryptionAlgorithms.equals(k.encryptionAlgorithms)
                && Arrays.equals(subjectPublicKeyInfo, k.subjectPublicKeyInfo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyArn, keySpec, keyUsage, encryptionAlgorithms)
                + 31 * Arrays.hashCode(subjectPublicKeyInfo);
    }

    /** The ARN and spec; the key itself is public but long. */
    @Override
    public String toString() {
        return "KmsPublicKey[" + keyArn + ", " + keySpec + ", " + keyUsage + ", " + encryptionAlgorithms + "]";
    }
}
