package io.credsync.verify;

import io.credsync.connection.DatabaseConnector;
import io.credsync.crypto.Password;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Tries an event's password against the database before it is published: the one oracle that
 * neither a forged event, nor a change that rolled back after it was recorded, nor one that a
 * newer change has replaced, can fool. One ordinary login, through the server's normal password
 * authentication, per published event.
 *
 * <p>Where the login cannot be tried at all, the verdict says why, from the role's catalog entry
 * (no LOGIN, VALID UNTIL passed, connection limit reached) or from the server's refusal
 * (SQLState 28000: pg_hba.conf allows the role no password login). A password check that
 * PostgreSQL answers with 28P01 is a refusal: the password does not log in. An expired password
 * is refused with the same SQLState, which is why VALID UNTIL is checked first.
 *
 * <p>Thread-safe when its connector is.
 */
public final class LoginVerifier {

    /** What the attempt showed. */
    public sealed interface Verdict permits LogsIn, Refused, CannotTry {
    }

    /** The password logs in: publish it. */
    public record LogsIn() implements Verdict {
    }

    /** The password does not log in (or the role is gone); {@code reason} says which. */
    public record Refused(String reason) implements Verdict {
    }

    /** The login could not be tried; {@code reason} says why, and what to change. */
    public record CannotTry(String reason) implements Verdict {
    }

    private final DatabaseConnector connector;
    private final Clock clock;

    public LoginVerifier(DatabaseConnector connector, Clock clock) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param role the role whose password changed
     * @param password the event's password
     * @param facts the role's catalog entry, empty if the role does not exist
     * @throws SQLException when the server could not be asked (unreachable, shutting down, full):
     *     a transient failure to retry
     */
    public Verdict verify(String role, Password password, Optional<RoleLogin> facts) throws SQLException {
        if (facts.isEmpty()) {
            return new Refused("the role no longer exists");
        }
        RoleLogin login = facts.get();
        if (!login.canLogin()) {
            return new CannotTry("the role has no LOGIN attribute, so its password cannot be tried");
        }
        if (login.validUntil() != null && !login.validUntil().isAfter(clock.instant())) {
            return new CannotTry("the role's VALID UNTIL (" + login.validUntil() + ") has passed");
        }
        if (login.connectionLimit() >= 0 && login.connections() >= login.connectionLimit()) {
            return new CannotTry("the role has reached its connection limit of " + login.connectionLimit());
        }
        try (Connection connection = connector.connectAs(role, password)) {
            return new LogsIn();
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState())) {
                return new Refused("the password does not log in");
            }
            if ("28000".equals(e.getSQLState())) {
                return new CannotTry("the server allows this role no password login (pg_hba.conf or its"
                        + " authentication method)");
            }
            throw e;
        }
    }
}
