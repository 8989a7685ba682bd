package io.credsync.secrets;

import io.credsync.crypto.Password;
import io.credsync.outbox.EventId;
import java.util.Objects;

/**
 * One secret write: the role's new password and the connection fields RDS puts beside it
 * ({@code engine}, {@code host}, {@code port}, {@code dbname}, {@code username}, {@code password}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 *
 * @param secretName the secret's name (from the name template or an override)
 * @param eventId the change's identity, the idempotency token of the write
 * @param engine e.g. {@code postgres}
 * @param host the database host applications connect to
 * @param port its port, 1-65535
 * @param dbname the database name
 * @param username the role name
 * @param password the new password
 */
public record SecretUpdate(String secretName, EventId eventId, String engine, String host, int port, String dbname,
        String username, Password password) {

    public SecretUpdate {
        Objects.requireNonNull(secretName, "secretName");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dbname, "dbname");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, not " + port);
        }
    }
}
