package io.credsync.keys;

import io.credsync.connection.Transactions;
import io.credsync.install.InstallException;
import io.credsync.keys.KeyRegistry.RegisteredKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * {@code keys add}: reads a KMS key with {@code kms:GetPublicKey}, checks that it can be
 * credsync's key ({@link KeyRequirements}), and registers its public half as the active key.
 * Only the public key is ever fetched: the private key stays in KMS, and the consumer reaches it
 * through {@code kms:Decrypt}. Stateless and thread-safe.
 */
public final class KeyRegistration {

    /** What registering did. */
    public enum Outcome {
        /** A new key, now the active one. */
        ADDED,
        /** A key registered before, made the active one again. */
        REACTIVATED,
        /** The key was the active one already: nothing changed. */
        ALREADY_ACTIVE
    }

    /**
     * @param key the KMS key
     * @param outcome what changed
     * @param previousActive the key that was active before, if another one was
     */
    public record Result(KmsPublicKey key, Outcome outcome, Optional<String> previousActive) {
        public Result {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(previousActive, "previousActive");
        }
    }

    private KeyRegistration() {
    }

    /**
     * Reads the key and checks it.
     *
     * @param keyId a key id, {@code alias/NAME}, or an ARN of either
     * @throws InstallException when KMS refuses (explained by error code) or the key does not fit,
     *     listing every reason and how to make one that does
     */
    public static KmsPublicKey fetch(KmsClient kms, String keyId) throws InstallException {
        KmsPublicKey key;
        try {
            key = get(kms, keyId);
        } catch (AwsCallException e) {
            throw new InstallException(e.getMessage(), e);
        }
        List<String> problems = KeyRequirements.problems(key);
        if (!problems.isEmpty()) {
            throw new InstallException("KMS key " + key.keyArn() + " cannot be credsync's key: "
                    + String.join("; ", problems) + ". Create one that can with: " + KeyRequirements.CREATE_KEY);
        }
        return key;
    }

    /**
     * Calls {@code kms:GetPublicKey}; used by doctor too, which checks the result itself.
     *
     * <p>When the answer lists no encryption algorithms for an encryption key (KMS always lists
     * them; local-kms, the emulator, does not), asks {@code kms:DescribeKey}, whose metadata lists
     * them too. Should that be refused, the list stays empty, which {@link KeyRequirements}
     * reads as "not stated" rather than as a fault: doctor's decrypt round trip proves the
     * algorithm anyway.
     */
    public static KmsPublicKey get(KmsClient kms, String keyId) throws AwsCallException {
        GetPublicKeyResponse response;
        try {
            response = kms.getPublicKey(request -> request.keyId(keyId));
        } catch (SdkException e) {
            throw new AwsCallException(AwsErrors.kms("GetPublicKey", keyId, e), e);
        }
        if (response.publicKey() == null || response.keyId() == null) {
            throw new IllegalStateException("kms:GetPublicKey on " + keyId + " returned no key id or public key");
        }
        List<String> algorithms = response.hasEncryptionAlgorithms() ? response.encryptionAlgorithmsAsStrings()
                : List.of();
        String usage = Objects.toString(response.keyUsageAsString(), "");
        if (algorithms.isEmpty() && KeyRequirements.USAGE.equals(usage)) {
            algorithms = describedAlgorithms(kms, response.keyId());
        }
        return new KmsPublicKey(response.keyId(), Objects.toString(response.keySpecAsString(), ""), usage,
                algorithms, response.publicKey().asByteArray());
    }

    private static List<String> describedAlgorithms(KmsClient kms, String keyArn) {
        try {
            KeyMetadata metadata = kms.describeKey(request -> request.keyId(keyArn)).keyMetadata();
            return metadata != null && metadata.hasEncryptionAlgorithms() ? metadata.encryptionAlgorithmsAsStrings()
                    : List.of();
        } catch (SdkException e) {
            // Least-privilege roles may lack kms:DescribeKey; the algorithms then stay unstated.
            return List.of();
        }
    }

    /**
     * Makes {@code key} the active key, in one transaction. Registering the active key again
     * changes nothing.
     *
     * @throws SQLException as {@link KeyRegistry#add} raises it; nothing was changed
     */
    public static Result register(Connection connection, KmsPublicKey key) throws SQLException {
        return Transactions.inOne(connection, () -> {
            Optional<RegisteredKey> previous = KeyRegistry.active(connection);
            Optional<RegisteredKey> existing = KeyRegistry.find(connection, key.keyArn());
            Outcome outcome;
            if (existing.isPresent() && existing.get().active() && samePublicKey(existing.get(), key)) {
                outcome = Outcome.ALREADY_ACTIVE;
            } else {
                // add_key itself refuses a kid registered with another public key (SQLState 23505).
                KeyRegistry.add(connection, key.keyArn(), key.pem());
                outcome = existing.isPresent() ? Outcome.REACTIVATED : Outcome.ADDED;
            }
            return new Result(key, outcome, previous.map(RegisteredKey::kid).filter(kid -> !kid.equals(key.keyArn())));
        });
    }

    private static boolean samePublicKey(RegisteredKey registered, KmsPublicKey key) {
        return RsaPublicKeys.der(registered.publicKeyPem())
                .map(der -> Arrays.equals(der, key.subjectPublicKeyInfo()))
                .orElse(false);
    }
}
