package io.credsync.secrets;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Writes secrets with the Secrets Manager API, the event id being the {@code ClientRequestToken}
 * (so the new version's id).
 *
 * <p>The flow: {@code GetSecretValue} (AWSCURRENT). When the secret is missing,
 * {@code CreateSecret} with the configured KMS key, description and tags; if that finds it exists
 * after all (created meanwhile, or existing without a current value), read again and go on as
 * below. Else {@link SecretValue#merged merge} into the current value and {@code PutSecretValue}
 * to the ARN just read, so that a secret deleted and recreated in between is not written with a
 * value merged from its predecessor.
 *
 * <p>A redelivered event finds a version with its token already there. Secrets Manager ignores a
 * put with that token and the same value, and refuses one with a different value (other keys
 * changed since) with {@code ResourceExistsException}; both mean this event's password was
 * written, so both are success, returning that version. Neither moves {@code AWSCURRENT} back:
 * a stale redelivery does not regress the secret.
 *
 * <p>The KMS key, description and tags apply only when credsync creates the secret; an existing
 * secret's metadata belongs to whoever made it (Terraform, a console user), and credsync does not
 * fight over it.
 *
 * <p>The merge is a read-modify-write without a condition (Secrets Manager has no compare-and-set):
 * another tool changing other keys between the read and the put loses its change. Writes to one
 * secret must not run concurrently; keeping one role's events in order is the caller's job.
 *
 * <p>Thread-safe: the configuration is immutable and {@link SecretsManagerClient} is thread-safe.
 * It does not own the client: closing it is the caller's job.
 */
public final class SecretsManagerSecretWriter implements SecretWriter {

    private static final String AWSCURRENT = "AWSCURRENT";
    private static final String NOT_FOUND = "ResourceNotFoundException";
    private static final String EXISTS = "ResourceExistsException";

    private final SecretsManagerClient client;
    private final String kmsKeyId;
    private final String description;
    private final List<Tag> tags;

    /**
     * @param client the client to call; not null
     * @param kmsKeyId the KMS key (id, ARN or alias) to encrypt new secrets with, or null for
     *     Secrets Manager's default {@code aws/secretsmanager}
     * @param description the description of new secrets, or null for none
     * @param tags the tags of new secrets (key to value); not null, may be empty
     */
    public SecretsManagerSecretWriter(SecretsManagerClient client, String kmsKeyId, String description,
            Map<String, String> tags) {
        this.client = Objects.requireNonNull(client, "client");
        this.kmsKeyId = kmsKeyId;
        this.description = description;
        // Sorted: the same configuration makes the same request every time.
        this.tags = new TreeMap<>(Map.copyOf(Objects.requireNonNull(tags, "tags"))).entrySet().stream()
                .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build())
                .toList();
    }

    @Override
    public SecretWriteResult write(SecretUpdate update) throws SecretWriteException {
        Objects.requireNonNull(update, "update");
        String name = update.secretName();
        if (!SecretNamer.isValidName(name)) {
            // moto accepts any name; Secrets Manager would refuse it. Say why before asking either.
            throw new SecretWriteException("the secret name " + SecretNamer.quote(name) + " is not 1 to "
                    + SecretNamer.MAX_NAME_LENGTH + " ASCII letters, digits and /_+=.@-",
                    SecretWriteException.INVALID_SECRET_NAME, false, null);
        }
        Optional<GetSecretValueResponse> current = readCurrent(name);
        if (current.isEmpty()) {
            Optional<SecretWriteResult> created = create(update);
            if (created.isPresent()) {
                return created.get();
            }
            current = readCurrent(name);
        }
        return put(update, current);
    }

    /** @return the current version, or empty when the secret or its AWSCURRENT value is missing */
    private Optional<GetSecretValueResponse> readCurrent(String name) throws SecretWriteException {
        try {
            return Optional.of(client.getSecretValue(request -> request.secretId(name).versionStage(AWSCURRENT)));
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure("GetSecretValue", name, e);
        }
    }

    /** @return the created secret, or empty when a secret of that name exists after all */
    private Optional<SecretWriteResult> create(SecretUpdate update) throws SecretWriteException {
        String token = update.eventId().toString();
        CreateSecretRequest.Builder request = CreateSecretRequest.builder()
                .name(update.secretName())
                .secretString(SecretValue.fresh(update))
                .clientRequestToken(token);
        if (kmsKeyId != null) {
            request.kmsKeyId(kmsKeyId);
        }
        if (description != null) {
            request.description(description);
        }
        if (!tags.isEmpty()) {
            request.tags(tags);
        }
        CreateSecretResponse response;
        try {
            response = client.createSecret(request.build());
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, EXISTS)) {
                return Optional.empty();
            }
            throw failure("CreateSecret", update.secretName(), e);
        }
        return Optional.of(new SecretWriteResult(arnOf(update.secretName(), response.arn()),
                Objects.requireNonNullElse(response.versionId(), token), true));
    }

    private SecretWriteResult put(SecretUpdate update, Optional<GetSecretValueResponse> current)
            throws SecretWriteException {
        String name = update.secretName();
        String token = update.eventId().toString();
        String value = current.isPresent() ? mergedInto(current.get(), update) : SecretValue.fresh(update);
        String knownArn = current.map(GetSecretValueResponse::arn).orElse(null);
        PutSecretValueResponse response;
        try {
            response = client.putSecretValue(request -> request
                    .secretId(knownArn != null ? knownArn : name)
                    .secretString(value)
                    .clientRequestToken(token));
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, EXISTS)) {
                // A version with this token exists: this event was written before (see class comment).
                return new SecretWriteResult(arnOf(name, knownArn), token, false);
            }
            throw failure("PutSecretValue", name, e);
        }
        return new SecretWriteResult(arnOf(name, response.arn() != null ? response.arn() : knownArn),
                Objects.requireNonNullElse(response.versionId(), token), false);
    }

    private static String mergedInto(GetSecretValueResponse current, SecretUpdate update) throws SecretWriteException {
        if (current.secretString() == null) {
            throw SecretValue.binaryValue(update.secretName());
        }
        return SecretValue.merged(current.secretString(), update);
    }

    /** @return {@code arn}, else the secret's ARN from {@code DescribeSecret} (rare: no response had it) */
    private String arnOf(String name, String arn) throws SecretWriteException {
        if (arn != null) {
            return arn;
        }
        try {
            return Objects.requireNonNull(client.describeSecret(request -> request.secretId(name)).arn(),
                    "DescribeSecret returned no ARN");
        } catch (SdkException e) {
            throw failure("DescribeSecret", name, e);
        }
    }

    private static SecretWriteException failure(String operation, String name, SdkException e) {
        SecretsManagerErrors.Classification failure = SecretsManagerErrors.classify(e);
        return new SecretWriteException(operation + " of secret " + name + " failed with " + failure.code()
                + (failure.isTransient() ? " (transient)" : " (permanent)"), failure.code(), failure.isTransient(), e);
    }
}
