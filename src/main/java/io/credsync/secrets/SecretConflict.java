package io.credsync.secrets;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * Something about an existing secret, learnt from {@code DescribeSecret}, that stops credsync
 * writing a role's password into it: the secret is scheduled for deletion, another AWS service
 * owns it ({@code OwningService}, e.g. {@code rds} for an RDS-managed master password), or
 * rotation is enabled on it. Owned and rotated secrets have another writer, whose next write
 * would undo credsync's (or credsync's would break its management); a secret scheduled for
 * deletion takes no writes at all.
 *
 * <p>The first two are {@link Kind#allowable() allowable}: an operator may list the role in
 * {@code secrets.allow_conflicting_roles} to have credsync write it all the same. Deletion is not:
 * the only way on is to restore the secret.
 *
 * <p>Immutable and thread-safe. Pure: no I/O. Nothing here holds a secret value (DescribeSecret
 * returns none).
 *
 * @param kind what stands in the way
 * @param secretName the secret's name, as credsync names it
 * @param detail what DescribeSecret said: the owning service, the rotation function (or empty for
 *     managed rotation), or the scheduled deletion date
 */
public record SecretConflict(Kind kind, String secretName, String detail) {

    /** The configuration key that lifts the allowable conflicts for listed roles. */
    public static final String ALLOW_KEY = "secrets.allow_conflicting_roles";

    /** What stands in the way, with credsync's error code for it. */
    public enum Kind {
        /** {@code DeletedDate} is set: Secrets Manager refuses reads and writes until it is restored. */
        SCHEDULED_FOR_DELETION("SecretScheduledForDeletion", false),
        /** {@code OwningService} is set: another AWS service manages the secret and writes it. */
        OWNED_BY_SERVICE("SecretOwnedByService", true),
        /** {@code RotationEnabled}: a rotation function also writes the secret (and the password). */
        ROTATION_ENABLED("SecretRotationEnabled", true);

        private final String code;
        private final boolean allowable;

        Kind(String code, boolean allowable) {
            this.code = code;
            this.allowable = allowable;
        }

        /** credsync's error code, recorded as the reason's first word, e.g. {@code SecretOwnedByService}. */
        public String code() {
            return code;
        }

        /** Whether {@code secrets.allow_conflicting_roles} can lift it. */
        public boolean allowable() {
            return allowable;
        }
    }

    public SecretConflict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(secretName, "secretName");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * @param secretName the name credsync gave the secret (DescribeSecret's own name may be absent)
     * @param described DescribeSecret's answer for it
     * @return every conflict, the deletion first (it is the one that no setting lifts)
     */
    public static List<SecretConflict> of(String secretName, DescribeSecretResponse described) {
        Objects.requireNonNull(secretName, "secretName");
        Objects.requireNonNull(described, "described");
        List<SecretConflict> conflicts = new ArrayList<>();
        Instant deleted = described.deletedDate();
        if (deleted != null) {
            conflicts.add(new SecretConflict(Kind.SCHEDULED_FOR_DELETION, secretName, deleted.toString()));
        }
        String owner = described.owningService();
        if (owner != null && !owner.isEmpty()) {
            conflicts.add(new SecretConflict(Kind.OWNED_BY_SERVICE, secretName, owner));
        }
        if (Boolean.TRUE.equals(described.rotationEnabled())) {
            String function = described.rotationLambdaARN();
            conflicts.add(new SecretConflict(Kind.ROTATION_ENABLED, secretName, function == null ? "" : function));
        }
        return List.copyOf(conflicts);
    }

    /** @return whether the configuration lets credsync write {@code role}'s secret despite this */
    public boolean allowedFor(String role, Set<String> allowedRoles) {
        return kind.allowable() && allowedRoles.contains(Objects.requireNonNull(role, "role"));
    }

    /** What is wrong, in a phrase that names the secret, e.g. {@code secret a/b is owned by rds (...)}. */
    public String problem() {
        return switch (kind) {
            case SCHEDULED_FOR_DELETION -> "secret " + secretName + " is scheduled for deletion on " + detail
                    + ", and Secrets Manager takes no writes to it until it is restored";
            case OWNED_BY_SERVICE -> "secret " + secretName + " is owned by " + detail
                    + " (its OwningService), which manages and writes it itself";
            case ROTATION_ENABLED -> "secret " + secretName + " has rotation enabled, so "
                    + (detail.isEmpty() ? "Secrets Manager's managed rotation" : "the rotation function " + detail)
                    + " also writes it and changes the password";
        };
    }

    /** What to do about it for {@code role}, in a phrase. */
    public String fix(String role) {
        String shown = SecretNamer.shown(role);
        String allow = "or, to have credsync write it all the same, add " + shown + " to " + ALLOW_KEY;
        return switch (kind) {
            case SCHEDULED_FOR_DELETION -> "restore it with `aws secretsmanager restore-secret --secret-id "
                    + secretName + "`";
            case OWNED_BY_SERVICE -> "give role " + shown + " a secret of its own (secrets.overrides), " + allow;
            case ROTATION_ENABLED -> "turn rotation off (`aws secretsmanager cancel-rotate-secret --secret-id "
                    + secretName + "`) and rotate with `credsync rotate " + shown + "` instead, " + allow;
        };
    }

    /** @return the refusal of a write of {@code role}'s password: permanent, with {@link Kind#code()} */
    SecretWriteException refusal(String role, Throwable cause) {
        return new SecretWriteException(problem() + "; " + fix(role), kind.code(), false, cause);
    }
}
