package io.credsync.delivery;

import io.credsync.config.VerifyMode;
import io.credsync.crypto.EventPayload;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import io.credsync.verify.LoginVerifier;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an event's password may be published: it must log in
 * ({@link LoginVerifier}), unless {@code delivery.verify} says otherwise; one that does not is
 * superseded when a newer change of the role explains why, and rejected when nothing does.
 *
 * <p>Thread-safe: called by the role threads at once; holds no state of its own.
 */
final class PublishCheck {

    private static final Logger log = LoggerFactory.getLogger(PublishCheck.class);
    private static final Duration VISIBILITY_WAIT = Duration.ofMillis(5);
    private static final int VISIBILITY_CHECKS = 1_000;

    private final DeliveryStore store;
    private final LoginVerifier verifier;
    private final VerifyMode verifyMode;
    private final RoleLocks roleLocks;
    private final DeliveryMetrics metrics;
    private final Backoff backoff;

    PublishCheck(DeliveryStore store, LoginVerifier verifier, VerifyMode verifyMode, RoleLocks roleLocks,
            DeliveryMetrics metrics, Backoff backoff) {
        this.store = Objects.requireNonNull(store, "store");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.verifyMode = Objects.requireNonNull(verifyMode, "verifyMode");
        this.roleLocks = Objects.requireNonNull(roleLocks, "roleLocks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * Tries the password before it is published.
     *
     * @param lsn recorded with the outcome; null for an event read from the table
     * @return the event's outcome when it must not be published, else empty
     * @throws SQLException when the database could not be asked: retried like a transient AWS error
     */
    Optional<DeliveryRecord> unpublishable(OutboxEvent event, EventPayload payload, int attempts, Lsn lsn)
            throws SQLException, InterruptedException {
        if (verifyMode == VerifyMode.OFF) {
            return Optional.empty();
        }
        awaitVisible(event);
        LoginVerifier.Verdict verdict = verifier.verify(event.roleName(), payload.password(),
                store.roleLogin(event.roleName()));
        if (verdict instanceof LoginVerifier.Refused refused) {
            OptionalLong newer = store.newerEvent(event.roleName(), event.orderKey());
            if (newer.isPresent()) {
                return Optional.of(DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, attempts, "PasswordReplaced: "
                        + refused.reason() + "; event " + newer.getAsLong() + " of this role is newer", lsn));
            }
            Optional<String> newerElsewhere = roleLocks.syncedAfter(event.roleName(), event.createdAt());
            if (newerElsewhere.isPresent()) {
                return Optional.of(DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, attempts, "PasswordReplaced: "
                        + refused.reason() + "; " + newerElsewhere.get() + ", a newer change of this role, is synced",
                        lsn));
            }
            log.warn("event {} of role {} rejected: {}", event.eventId(), event.roleName(), refused.reason());
            return Optional.of(DeliveryRecord.of(event, DeliveryStatus.REJECTED, attempts, "PasswordDoesNotLogIn: "
                    + refused.reason() + " (a forged event, a change that rolled back, or a password changed"
                    + " again since)", lsn));
        }
        if (verdict instanceof LoginVerifier.CannotTry cannot) {
            if (verifyMode == VerifyMode.REQUIRED) {
                log.warn("event {} of role {} failed: cannot verify: {}", event.eventId(), event.roleName(),
                        cannot.reason());
                return Optional.of(DeliveryRecord.of(event, DeliveryStatus.FAILED, attempts, "CannotVerify: "
                        + cannot.reason() + "; with delivery.verify: best-effort such events are published"
                        + " unverified", lsn));
            }
            log.warn("publishing event {} of role {} unverified: {}", event.eventId(), event.roleName(),
                    cannot.reason());
            metrics.recordUnverifiedPublish();
        }
        return Optional.empty();
    }

    /**
     * Waits until a new snapshot sees the event's row, and with it the role's new password: a
     * login tried earlier could be refused with the old password still in force. The wait is
     * normally nothing; it is bounded, and a row still invisible after it is a database problem.
     */
    private void awaitVisible(OutboxEvent event) throws SQLException, InterruptedException {
        for (int attempt = 0; !store.isVisible(event.id()); attempt++) {
            if (attempt == VISIBILITY_CHECKS) {
                throw new SQLException("outbox row " + event.id() + " is not visible to new sessions", "55000");
            }
            backoff.sleep(VISIBILITY_WAIT);
        }
    }
}
