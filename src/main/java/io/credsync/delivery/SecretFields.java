package io.credsync.delivery;

import java.util.Objects;

/**
 * The connection fields written beside each password, as RDS writes them: what applications
 * need to connect.
 *
 * <p>Immutable and thread-safe.
 */
public record SecretFields(String engine, String host, int port, String dbname) {

    public SecretFields {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dbname, "dbname");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
