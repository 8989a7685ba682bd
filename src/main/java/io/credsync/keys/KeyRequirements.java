package io.credsync.keys;

import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a KMS key must be for credsync: RSA ({@code RSA_2048}, {@code RSA_3072} or
 * {@code RSA_4096}), usage {@code ENCRYPT_DECRYPT}, offering {@code RSAES_OAEP_SHA_256} (the
 * envelope's RSA-OAEP-256, see docs/design.md) when it lists its algorithms, and a public key of the
 * size its spec says. Pure and stateless: thread-safe.
 */
public final class KeyRequirements {

    /** Key specs credsync.add_key accepts, with their modulus size in bits. */
    static final Map<String, Integer> RSA_SPECS = Map.of("RSA_2048", 2048, "RSA_3072", 3072, "RSA_4096", 4096);

    static final String USAGE = "ENCRYPT_DECRYPT";
    static final String ALGORITHM = "RSAES_OAEP_SHA_256";

    /** How to make a key that fits, for messages. */
    public static final String CREATE_KEY = "aws kms create-key --key-spec RSA_3072 --key-usage ENCRYPT_DECRYPT"
            + " --description credsync";

    private KeyRequirements() {
    }

    /** @return what is wrong with {@code key}, one sentence each; empty if it fits */
    public static List<String> problems(KmsPublicKey key) {
        List<String> problems = new ArrayList<>();
        Integer bits = RSA_SPECS.get(key.keySpec());
        if (bits == null) {
            problems.add("its key spec is " + orNone(key.keySpec()) + ": credsync needs an RSA key,"
                    + " RSA_2048, RSA_3072 or RSA_4096 (the database encrypts with RSA-OAEP)");
        }
        if (!USAGE.equals(key.keyUsage())) {
            problems.add("its key usage is " + orNone(key.keyUsage()) + ": credsync encrypts to the key, so it"
                    + " needs key usage ENCRYPT_DECRYPT (a key's usage is fixed when it is created)");
        } else if (!key.encryptionAlgorithms().isEmpty() && !key.encryptionAlgorithms().contains(ALGORITHM)) {
            // An empty list is "not stated" (see KeyRegistration.get): every RSA encryption key in KMS
            // offers it, and doctor's round trip proves it.
            problems.add("it offers " + String.join(", ", key.encryptionAlgorithms()) + ": credsync needs "
                    + ALGORITHM);
        }
        if (bits != null) {
            Optional<RSAPublicKey> rsa = RsaPublicKeys.rsa(key.subjectPublicKeyInfo());
            if (rsa.isEmpty()) {
                problems.add("KMS returned a public key that is not an RSA SubjectPublicKeyInfo");
            } else if (rsa.get().getModulus().bitLength() != bits) {
                problems.add("its public key has " + rsa.get().getModulus().bitLength() + " bits, not the "
                        + bits + " its spec " + key.keySpec() + " says");
            }
        }
        return problems;
    }

    /** The modulus size in bits, if the key is RSA. */
    static Optional<Integer> bits(KmsPublicKey key) {
        return RsaPublicKeys.rsa(key.subjectPublicKeyInfo()).map(k -> k.getModulus().bitLength());
    }

    private static String orNone(String value) {
        return value.isEmpty() ? "not given" : value;
    }
}
