package io.credsync.secrets;

import io.credsync.crypto.Password;
import java.util.Objects;

/**
 * What a secret's current version holds for the role, as the drift check reads it: a password,
 * no secret at all, or a value that has no usable password. Immutable and thread-safe; no
 * component is null, and no {@code toString} shows the password.
 */
public sealed interface StoredPassword permits StoredPassword.Found, StoredPassword.Missing, StoredPassword.Unusable {

    /** The current version's {@code password} field. */
    record Found(Password password) implements StoredPassword {
        public Found {
            Objects.requireNonNull(password, "password");
        }
    }

    /** No secret of that name exists, or it has no current version. */
    record Missing() implements StoredPassword {
    }

    /**
     * The secret exists but no password can be read from it; {@code reason} says why (never the
     * value) and {@code code} is the AWS error code or credsync's own.
     */
    record Unusable(String reason, String code) implements StoredPassword {
        public Unusable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(code, "code");
        }
    }
}
