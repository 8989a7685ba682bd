package io.credsync.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.crypto.Password;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Reads the password a secret's current version ({@code AWSCURRENT}) holds: what an application
 * reading the secret would log in with. One {@code GetSecretValue} per call.
 *
 * <p>A value that is not a JSON object with a string {@code password} is {@link
 * StoredPassword.Unusable}, with a reason that never quotes the value (Jackson's own messages,
 * which do, are dropped). The value is parsed by {@link SecretValue}'s rules, so drift never
 * reads a password out of a value the writer would refuse to write into. So is an answer about the secret itself ({@code InvalidRequestException}
 * for one scheduled for deletion, {@code AccessDeniedException}, ...): each says the secret does
 * not give applications a working password. Failures that a later try may not see (no answer,
 * throttling, 5xx, the consumer's own credentials) are thrown instead, so that one bad minute of
 * AWS is not reported as drift.
 *
 * <p>Thread-safe; it does not own the client.
 */
public final class SecretsManagerPasswordReader {

    private static final String NOT_FOUND = "ResourceNotFoundException";

    private final SecretsManagerClient client;

    public SecretsManagerPasswordReader(SecretsManagerClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * @param secretName the secret's name; not null
     * @return what the current version holds; not null
     * @throws SecretWriteException (always {@link SecretWriteException#isTransient() transient})
     *     when Secrets Manager could not answer this time
     */
    public StoredPassword read(String secretName) throws SecretWriteException {
        Objects.requireNonNull(secretName, "secretName");
        GetSecretValueResponse response;
        try {
            response = client.getSecretValue(request -> request.secretId(secretName).versionStage("AWSCURRENT"));
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, NOT_FOUND)) {
                return new StoredPassword.Missing();
            }
            SecretsManagerErrors.Classification failure = SecretsManagerErrors.classify(e);
            if (failure.isTransient()) {
                throw new SecretWriteException("GetSecretValue of secret " + secretName + " failed with "
                        + failure.code() + " (transient)", failure.code(), true, e);
            }
            return new StoredPassword.Unusable("Secrets Manager refuses to read secret " + secretName + ": "
                    + failure.code(), failure.code());
        }
        return passwordOf(secretName, response.secretString());
    }

    /** Pure: the password field of a secret's JSON value. */
    static StoredPassword passwordOf(String secretName, String secretString) {
        if (secretString == null) {
            return new StoredPassword.Unusable("secret " + secretName + " holds a binary value, not credsync's JSON",
                    SecretWriteException.SECRET_NOT_JSON_OBJECT);
        }
        JsonNode value = SecretValue.tree(secretString).orElse(null);
        if (value == null || !value.isObject()) {
            return new StoredPassword.Unusable("secret " + secretName + " is not a JSON object",
                    SecretWriteException.SECRET_NOT_JSON_OBJECT);
        }
        JsonNode password = value.get("password");
        if (password == null || !password.isTextual()) {
            return new StoredPassword.Unusable("secret " + secretName + " has no password field",
                    SecretWriteException.SECRET_NOT_JSON_OBJECT);
        }
        return new StoredPassword.Found(Password.of(password.textValue()));
    }
}
