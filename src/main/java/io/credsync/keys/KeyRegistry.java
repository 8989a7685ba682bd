package io.credsync.keys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys in {@code credsync.encryption_key}: listing them, and registering one through
 * {@code credsync.add_key} (which parses the PEM, checks it, and makes it the only active key).
 * Stateless and thread-safe; uses only the connection it is given.
 */
public final class KeyRegistry {

    /**
     * A registered key.
     *
     * @param kid the KMS key ARN
     * @param publicKeyPem its public key, PEM
     * @param active whether new events are encrypted to it
     * @param addedAt when it was first registered
     * @param modulusBits 2048, 3072 or 4096
     */
    public record RegisteredKey(String kid, String publicKeyPem, boolean active, OffsetDateTime addedAt,
            int modulusBits) {
        public RegisteredKey {
            Objects.requireNonNull(kid, "kid");
            Objects.requireNonNull(publicKeyPem, "publicKeyPem");
            Objects.requireNonNull(addedAt, "addedAt");
        }
    }

    private static final String SELECT = "SELECT k.kid, k.public_key, k.active, k.added_at, k.modulus_bytes * 8"
            + " FROM credsync.encryption_key k";

    private KeyRegistry() {
    }

    /** Every registered key, the oldest first. */
    public static List<RegisteredKey> list(Connection connection) throws SQLException {
        return query(connection, SELECT + " ORDER BY k.added_at, k.kid", null);
    }

    /** The active key, if there is one. */
    public static Optional<RegisteredKey> active(Connection connection) throws SQLException {
        return query(connection, SELECT + " WHERE k.active", null).stream().findFirst();
    }

    /** The key registered as {@code kid}, if any. */
    public static Optional<RegisteredKey> find(Connection connection, String kid) throws SQLException {
        return query(connection, SELECT + " WHERE k.kid = ?", kid).stream().findFirst();
    }

    /**
     * Registers {@code pem} as {@code kid} and makes it the active key, with
     * {@code credsync.add_key}. Other keys stay, inactive.
     *
     * @throws SQLException as add_key raises it: {@code 23505} when {@code kid} is registered with
     *     another public key, {@code 22023} when the key is not a supported RSA key
     */
    public static void add(Connection connection, String kid, String pem) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT credsync.add_key(?, ?)")) {
            statement.setString(1, kid);
            statement.setString(2, pem);
            statement.execute();
        }
    }

    private static List<RegisteredKey> query(Connection connection, String sql, String kid) throws SQLException {
        List<RegisteredKey> keys = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (kid != null) {
                statement.setString(1, kid);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.add(new RegisteredKey(rows.getString(1), rows.getString(2), rows.getBoolean(3),
                            rows.getObject(4, OffsetDateTime.class), rows.getInt(5)));
                }
            }
        }
        return keys;
    }
}
