package io.credsync.crypto;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A password that does not print: {@link #toString()} (and so string concatenation, log
 * formatting, record {@code toString}, and Jackson serialization through {@link JsonValue}) gives
 * {@code ****}. The value is reached only through {@link #reveal()}, a name that is easy to find
 * in review.
 *
 * <p>Why a value type holding a {@code String} rather than a wipeable {@code char[]}: the
 * password has already been a {@code String} inside Jackson while the payload was parsed, and
 * will be one again in the Secrets Manager request, so wiping one copy would promise a hygiene
 * the process cannot keep. What this type does guarantee is the common leak: a log line or an
 * exception message that prints an object holding the password.
 *
 * <p>Immutable and thread-safe. The value is never null; it may be empty.
 */
public final class Password {
    private static final String REDACTED = "****";

    private final String value;

    private Password(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** @return a password holding {@code value} */
    public static Password of(String value) {
        return new Password(value);
    }

    /** @return the password itself: only for the secret being written, never for a log */
    public String reveal() {
        return value;
    }

    /** Compares in time independent of where the values differ. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Password
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                        ((Password) other).value.getBytes(StandardCharsets.UTF_8));
    }

    /** Constant: a hash of the password would be a fingerprint to test guesses against. */
    @Override
    public int hashCode() {
        return 0;
    }

    /** @return {@code ****}, whatever the password */
    @JsonValue
    @Override
    public String toString() {
        return REDACTED;
    }
}
