package io.credsync.secrets;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Writes secrets with the Secrets Manager API, the event id being the {@code ClientRequestToken}
 * (so the new version's id).
 *
 * <p>The flow: {@code DescribeSecret}. When the secret is missing, {@code CreateSecret} with the
 * configured KMS key, description and tags; if that finds it exists after all (created
 * meanwhile), describe it and go on as below. An existing secret with a {@link SecretConflict}
 * (scheduled for deletion, owned by another service, rotation enabled) is refused, permanently,
 * unless the conflict is allowable and the role is in {@code secrets.allow_conflicting_roles}.
 * Else {@code GetSecretValue} (AWSCURRENT), {@link SecretValue#merged merge} into the current
 * value (a fresh value when it has none) and {@code PutSecretValue}. Both go to the ARN described,
 * so that a secret deleted and recreated in between is neither written unchecked nor with a value
 * merged from its predecessor. The read is skipped when the description shows that
 * {@code AWSCURRENT} is still the version this writer made last, whose value it knows
 * ({@link WrittenVersions}): one call fewer for every change after a role's first, as long as
 * nobody else writes the secret.
 *
 * <p>A secret can still change between the description and the write (scheduled for deletion,
 * say). Secrets Manager then answers {@code InvalidRequestException}; the secret is described
 * again to tell why, by its fields, never by the message text.
 *
 * <p>A secret can also vanish between the description and the write: deleted for good, or, with
 * an emulator that keeps secrets in memory, lost to a restart (the SDK's own retries of a put can
 * reach the new process with the ARN the old one described). The put then answers
 * {@code ResourceNotFoundException}, or {@code InvalidRequestException} with nothing left to
 * describe. That is transient: the event is still owed, and the next attempt describes the name
 * afresh and creates the secret, as for any secret missing when an event comes. A secret
 * scheduled for deletion is not missing, and stays a permanent refusal: someone meant to delete
 * it, and whether to restore it is theirs to decide.
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

    private static final Logger log = LoggerFactory.getLogger(SecretsManagerSecretWriter.class);
    private static final String AWSCURRENT = "AWSCURRENT";
    private static final String NOT_FOUND = "ResourceNotFoundException";
    private static final String EXISTS = "ResourceExistsException";
    private static final String INVALID_REQUEST = "InvalidRequestException";
    /** Secrets whose last written version is remembered: a few hundred bytes each, the password excluded. */
    private static final int REMEMBERED_SECRETS = 10_000;

    private final SecretsManagerClient client;
    private final String kmsKeyId;
    private final String description;
    private final List<Tag> tags;
    private final Set<String> allowConflictingRoles;
    private final WrittenVersions written = new WrittenVersions(REMEMBERED_SECRETS);

    /**
     * @param client the client to call; not null
     * @param kmsKeyId the KMS key (id, ARN or alias) to encrypt new secrets with, or null for
     *     Secrets Manager's default {@code aws/secretsmanager}
     * @param description the description of new secrets, or null for none
     * @param tags the tags of new secrets (key to value); not null, may be empty
     * @param allowConflictingRoles roles whose secret is written even when another service owns it
     *     or rotation is enabled on it; not null, may be empty
     */
    public SecretsManagerSecretWriter(SecretsManagerClient client, String kmsKeyId, String description,
            Map<String, String> tags, Set<String> allowConflictingRoles) {
        this.client = Objects.requireNonNull(client, "client");
        this.allowConflictingRoles = Set.copyOf(Objects.requireNonNull(allowConflictingRoles,
                "allowConflictingRoles"));
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
        Optional<DescribeSecretResponse> described = describe(name);
        if (described.isEmpty()) {
            Optional<SecretWriteResult> created = create(update);
            if (created.isPresent()) {
                return created.get();
            }
            // Made by someone else meanwhile: it gets the same checks as any existing secret.
            described = describe(name);
        }
        if (described.isPresent()) {
            refuseConflicts(update, described.get());
        }
        String knownArn = described.map(DescribeSecretResponse::arn).orElse(null);
        Optional<String> ownCurrent = described.flatMap(written::otherKeysOfCurrent);
        if (ownCurrent.isPresent()) {
            // AWSCURRENT is the version this writer made last: its value is known (see WrittenVersions).
            return put(update, knownArn, SecretValue.merged(ownCurrent.get(), update));
        }
        Optional<GetSecretValueResponse> current = readCurrent(update, knownArn != null ? knownArn : name);
        if (knownArn == null) {
            knownArn = current.map(GetSecretValueResponse::arn).orElse(null);
        }
        return put(update, knownArn, current.isPresent() ? mergedInto(current.get(), update)
                : SecretValue.fresh(update));
    }

    /** @return the secret's metadata, or empty when there is no secret of that name */
    private Optional<DescribeSecretResponse> describe(String name) throws SecretWriteException {
        try {
            return Optional.of(client.describeSecret(request -> request.secretId(name)));
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure("DescribeSecret", name, e);
        }
    }

    /**
     * @throws SecretWriteException (permanent, with the conflict's code) for the first conflict
     *     the configuration does not allow for the role
     */
    private void refuseConflicts(SecretUpdate update, DescribeSecretResponse described) throws SecretWriteException {
        List<SecretConflict> conflicts = SecretConflict.of(update.secretName(), described);
        Optional<SecretConflict> refused = firstRefused(update, conflicts);
        if (refused.isPresent()) {
            throw refused.get().refusal(update.username(), null);
        }
        // What remains is allowed; say so, since the other writer may undo this write.
        conflicts.forEach(allowed -> log.info("writing it all the same, as {} lists role {}: {}",
                SecretConflict.ALLOW_KEY, SecretNamer.shown(update.username()), allowed.problem()));
    }

    private Optional<SecretConflict> firstRefused(SecretUpdate update, List<SecretConflict> conflicts) {
        return conflicts.stream().filter(c -> !c.allowedFor(update.username(), allowConflictingRoles)).findFirst();
    }

    /** @return the current version, or empty when the secret has no AWSCURRENT value */
    private Optional<GetSecretValueResponse> readCurrent(SecretUpdate update, String secretId)
            throws SecretWriteException {
        try {
            return Optional.of(client.getSecretValue(request -> request.secretId(secretId).versionStage(AWSCURRENT)));
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure("GetSecretValue", update, e);
        }
    }

    /** @return the created secret, or empty when a secret of that name exists after all */
    private Optional<SecretWriteResult> create(SecretUpdate update) throws SecretWriteException {
        String token = update.eventId().toString();
        String value = SecretValue.fresh(update);
        CreateSecretRequest.Builder request = CreateSecretRequest.builder()
                .name(update.secretName())
                .secretString(value)
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
            throw failure("CreateSecret", update, e);
        }
        SecretWriteResult result = new SecretWriteResult(arnOf(update.secretName(), response.arn()),
                Objects.requireNonNullElse(response.versionId(), token), true);
        written.remember(result.arn(), result.versionId(), value);
        return Optional.of(result);
    }

    /** @param knownArn the secret's ARN, or null when neither the description nor the read had it */
    private SecretWriteResult put(SecretUpdate update, String knownArn, String value) throws SecretWriteException {
        String name = update.secretName();
        String token = update.eventId().toString();
        PutSecretValueResponse response;
        try {
            response = client.putSecretValue(request -> request
                    .secretId(knownArn != null ? knownArn : name)
                    .secretString(value)
                    .clientRequestToken(token));
        } catch (SdkException e) {
            if (SecretsManagerErrors.hasCode(e, EXISTS)) {
                // A version with this token exists: this event was written before (see class comment).
                // What it holds is not this value, so the next write reads the secret.
                String arn = arnOf(name, knownArn);
                written.forget(arn);
                return new SecretWriteResult(arn, token, false);
            }
            if (SecretsManagerErrors.hasCode(e, NOT_FOUND)) {
                throw vanished("PutSecretValue", name, e);
            }
            throw failure("PutSecretValue", update, e);
        }
        SecretWriteResult result = new SecretWriteResult(arnOf(name, response.arn() != null ? response.arn() : knownArn),
                Objects.requireNonNullElse(response.versionId(), token), false);
        written.remember(result.arn(), result.versionId(), value);
        return result;
    }

    private static String mergedInto(GetSecretValueResponse current, SecretUpdate update) throws SecretWriteException {
        if (current.secretString() == null && current.secretBinary() == null) {
            // Every version holds one or the other: this answer was cut or mangled on the way.
            throw new SecretWriteException("GetSecretValue of secret " + update.secretName()
                    + " answered with neither a string nor a binary value (transient)",
                    SecretWriteException.INCOMPLETE_ANSWER, true, null);
        }
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

    /**
     * The failure of a call about an existing secret. {@code InvalidRequestException} says only
     * that the secret's state forbids the call: described again, the secret tells which state
     * (scheduled for deletion since it was first described, most likely), and the failure says
     * what to do. When it no longer exists, the failure is transient ({@link #vanished}). When it
     * shows nothing that forbids the write, or cannot be described, the call's own failure stands.
     */
    private SecretWriteException failure(String operation, SecretUpdate update, SdkException e) {
        SecretWriteException failure = failure(operation, update.secretName(), e);
        if (!SecretsManagerErrors.hasCode(e, INVALID_REQUEST)) {
            return failure;
        }
        Optional<DescribeSecretResponse> now;
        try {
            now = describe(update.secretName());
        } catch (SecretWriteException describeFailed) {
            failure.addSuppressed(describeFailed);
            return failure;
        }
        if (now.isEmpty()) {
            return vanished(operation, update.secretName(), e);
        }
        return firstRefused(update, SecretConflict.of(update.secretName(), now.get()))
                .map(conflict -> conflict.refusal(update.username(), e))
                .orElse(failure);
    }

    /**
     * The failure of a call about a secret that is gone (described a moment ago, or being deleted
     * for good): transient, since the next attempt describes the name afresh and creates the secret
     * (see the class comment).
     */
    private static SecretWriteException vanished(String operation, String name, SdkException e) {
        String code = SecretsManagerErrors.errorCode(e);
        return new SecretWriteException(operation + " of secret " + name + " failed with " + code
                + " (transient: no secret of that name exists now; the next attempt creates it)", code, true, e);
    }

    private static SecretWriteException failure(String operation, String name, SdkException e) {
        SecretsManagerErrors.Classification failure = SecretsManagerErrors.classify(e);
        return new SecretWriteException(operation + " of secret " + name + " failed with " + failure.code()
                + (failure.isTransient() ? " (transient)" : " (permanent)"), failure.code(), failure.isTransient(), e);
    }
}
