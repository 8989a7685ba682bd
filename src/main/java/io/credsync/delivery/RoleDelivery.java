package io.credsync.delivery;

import io.credsync.crypto.EnvelopeException;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.EventPayload;
import io.credsync.crypto.TransientCryptoException;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretUpdate;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretWriteResult;
import io.credsync.secrets.SecretWriter;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Delivers one role's events of a batch and records their outcomes: coalesced (the newest is
 * written, the others are superseded by it), never regressing, publishing only a password that
 * may be published ({@link PublishCheck}), retrying transient failures until they pass or the
 * thread is interrupted, and holding the role's lock ({@link RoleLocks}) until the outcomes are
 * recorded.
 *
 * <p>Thread-safe: the role threads call {@link #deliverAndRecord} at once, each for a role of its
 * own; it holds no state between calls. Arguments are non-null unless a parameter says otherwise.
 */
final class RoleDelivery {

    private static final Logger log = LoggerFactory.getLogger(RoleDelivery.class);
    /**
     * How many of a role's changes committed since its batch was read join the batch at most:
     * the newest matter, and any older ones left out are superseded cheaply when they come.
     */
    private static final int MAX_COMMITTED_SINCE = 100;

    /** What a role's delivery uses; the pipeline assembles it. */
    record Parts(DeliveryStore store, EnvelopeOpener opener, PublishCheck publishCheck, SecretWriter writer,
            SecretNamer namer, SecretFields fields, Backoff backoff, Clock clock, DeliveryMetrics metrics,
            RoleLocks roleLocks, WriteRateLimiter writeRate) {
        Parts {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(opener, "opener");
            Objects.requireNonNull(publishCheck, "publishCheck");
            Objects.requireNonNull(writer, "writer");
            Objects.requireNonNull(namer, "namer");
            Objects.requireNonNull(fields, "fields");
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(roleLocks, "roleLocks");
            Objects.requireNonNull(writeRate, "writeRate");
        }
    }

    private final DeliveryStore store;
    private final EnvelopeOpener opener;
    private final PublishCheck publishCheck;
    private final SecretWriter writer;
    private final SecretNamer namer;
    private final SecretFields fields;
    private final Backoff backoff;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final RoleLocks roleLocks;
    private final WriteRateLimiter writeRate;

    RoleDelivery(Parts parts) {
        this.store = parts.store();
        this.opener = parts.opener();
        this.publishCheck = parts.publishCheck();
        this.writer = parts.writer();
        this.namer = parts.namer();
        this.fields = parts.fields();
        this.backoff = parts.backoff();
        this.clock = parts.clock();
        this.metrics = parts.metrics();
        this.roleLocks = parts.roleLocks();
        this.writeRate = parts.writeRate();
    }

    /**
     * Delivers one role's events and records their outcomes, holding the role's lock throughout:
     * the pipelines of other databases deliver the role's changes made there, and must not
     * overlap with this.
     *
     * @param roleEvents the role's events of the batch, in commit order; not empty
     * @param lsn recorded with them; null for events read from the table
     * @throws InterruptedException when asked to stop; nothing is recorded then
     */
    void deliverAndRecord(List<OutboxEvent> roleEvents, Lsn lsn) throws InterruptedException {
        ReentrantLock roleLock = roleLocks.of(roleEvents.get(0).roleName());
        roleLock.lockInterruptibly();
        try {
            List<DeliveryRecord> records = deliverRole(roleEvents, lsn);
            backoff.untilAnswered("record delivery outcomes", () -> {
                store.record(records);
                return null;
            });
            records.forEach(r -> metrics.recordOutcome(r.status(), reasonCode(r.reason())));
        } finally {
            roleLock.unlock();
        }
    }

    /**
     * Coalesces one role's events: the newest is written, and the others are superseded by it.
     * Should the newest be rejected or fail (its password does not log in and nothing newer
     * exists, its envelope is bad), the next newest is tried: a forged or broken event must not
     * hide the real change before it. Should it be superseded (a newer change replaced its
     * password meanwhile), so are the older ones, untried.
     *
     * <p>The role's changes committed since the batch was read join it (recorded with no LSN,
     * like events read from the table): in a burst, changes commit faster than they are
     * delivered, so by the time the batch's newest is tried, its password has often been replaced
     * already, and each older one would be decrypted and tried in vain after it.
     */
    private List<DeliveryRecord> deliverRole(List<OutboxEvent> roleEvents, Lsn lsn) throws InterruptedException {
        String role = roleEvents.get(0).roleName();
        // The wait for the write ceiling comes before the role's newer rows are read, so that the
        // changes committed while it waited join this write instead of waiting for their own.
        awaitWriteToken();
        long newestId = roleEvents.stream().mapToLong(OutboxEvent::id).max().orElseThrow();
        List<OutboxEvent> committedSince = backoff.untilAnswered("read the role's newer outbox rows",
                () -> store.newerUndelivered(role, newestId, MAX_COMMITTED_SINCE));
        Set<Long> readFromTable = committedSince.stream().map(OutboxEvent::id).collect(Collectors.toSet());
        List<OutboxEvent> newestFirst = Stream.concat(roleEvents.stream(), committedSince.stream())
                .sorted(Comparator.comparingLong(OutboxEvent::orderKey).thenComparingLong(OutboxEvent::id).reversed())
                .toList();
        List<DeliveryRecord> records = new ArrayList<>();
        OutboxEvent written = null;
        boolean holdsToken = true;
        for (OutboxEvent event : newestFirst) {
            Lsn eventLsn = readFromTable.contains(event.id()) ? null : lsn;
            if (written != null) {
                records.add(DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, 0,
                        "coalesced: event " + written.id() + " is newer for this role", eventLsn));
                continue;
            }
            // Every log line of the event's handling carries its id and role (fields of the JSON logs).
            try (MDC.MDCCloseable eventId = MDC.putCloseable("event_id", event.eventId().toString());
                    MDC.MDCCloseable roleName = MDC.putCloseable("role", event.roleName())) {
                DeliveryRecord outcome = deliverNewest(event, eventLsn, holdsToken);
                holdsToken = false;
                records.add(outcome);
                if (outcome.status() == DeliveryStatus.SYNCED || outcome.status() == DeliveryStatus.SUPERSEDED) {
                    // Superseded: a newer change of the role exists, which replaces the older ones too;
                    // trying them would decrypt and log in for nothing.
                    written = event;
                }
            }
        }
        return records;
    }

    /** Takes a token of the write ceiling, waiting for one if need be, and counts the wait. */
    private void awaitWriteToken() throws InterruptedException {
        Duration waited = writeRate.acquire();
        if (!waited.isZero()) {
            metrics.recordWriteThrottled(waited);
        }
    }

    /**
     * Delivers one event: decrypts, verifies and writes it, retrying transient failures.
     *
     * @param lsn null for an event read from the table
     * @param holdsToken whether the caller took a token of the write ceiling for the first
     *     attempt; every other attempt takes one of its own before it decrypts
     */
    private DeliveryRecord deliverNewest(OutboxEvent event, Lsn lsn, boolean holdsToken) throws InterruptedException {
        OptionalLong newestSynced = backoff.untilAnswered("read the role's last synced event",
                () -> store.newestSyncedOrderKey(event.roleName()));
        if (newestSynced.isPresent() && newestSynced.getAsLong() > event.orderKey()) {
            return DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, 0,
                    "regression: event " + newestSynced.getAsLong() + " of this role is already synced", lsn);
        }
        int attempts = 0;
        while (true) {
            attempts++;
            if (attempts > 1 || !holdsToken) {
                awaitWriteToken();
            }
            try {
                EventPayload payload = open(event);
                Optional<DeliveryRecord> unpublished = publishCheck.unpublishable(event, payload, attempts, lsn);
                if (unpublished.isPresent()) {
                    return unpublished.get();
                }
                String secretName = namer.nameFor(fields.dbname(), event.roleName());
                SecretWriteResult result = write(new SecretUpdate(secretName, event.eventId(), fields.engine(),
                        fields.host(), fields.port(), fields.dbname(), event.roleName(), payload.password()));
                metrics.recordEventLag(Duration.between(event.createdAt(), clock.instant()));
                log.info("synced event {} of role {} to secret {} version {}", event.eventId(), event.roleName(),
                        result.arn(), result.versionId());
                roleLocks.noteSynced(event.roleName(), event.createdAt(),
                        "event " + event.id() + " of database " + store.databaseName());
                return DeliveryRecord.synced(event, attempts, result.arn(), result.versionId(), lsn);
            } catch (EnvelopeException e) {
                // The message starts with the reason code already ("MALFORMED: ..."): that is the recorded reason.
                log.warn("event {} of role {} failed: {}", event.eventId(), event.roleName(), e.getMessage());
                return DeliveryRecord.of(event, DeliveryStatus.FAILED, attempts, e.getMessage(), lsn);
            } catch (SecretWriteException e) {
                if (!e.isTransient()) {
                    log.warn("event {} of role {} failed: {}", event.eventId(), event.roleName(), e.getMessage());
                    // A permanent refusal needs a person to fix its cause; then a replay delivers the event.
                    return DeliveryRecord.of(event, DeliveryStatus.FAILED, attempts, e.errorCode() + ": "
                            + e.getMessage() + "; once that is fixed, `credsync replay " + event.id()
                            + "` delivers this change", lsn);
                }
                if (Thread.interrupted()) {
                    // Interrupted while waiting for the write ceiling: stopping, not AWS failing.
                    throw new InterruptedException("stopped while waiting to write");
                }
                backoff.pause(attempts, "Secrets Manager", e.errorCode());
            } catch (TransientCryptoException e) {
                backoff.pause(attempts, "KMS", e.errorCode());
            } catch (SQLException e) {
                backoff.pause(attempts, "PostgreSQL (the login check)", "SQLState " + e.getSQLState());
            }
        }
    }

    private EventPayload open(OutboxEvent event) throws EnvelopeException, TransientCryptoException {
        Instant start = clock.instant();
        try {
            EventPayload payload = opener.open(event.envelope(), event.eventId().value(), event.roleName());
            metrics.recordKmsCall(Duration.between(start, clock.instant()), null);
            return payload;
        } catch (EnvelopeException e) {
            // Only a failure KMS reported is a KMS error; a bad envelope is not KMS's.
            metrics.recordKmsCall(Duration.between(start, clock.instant()), e.awsErrorCode().orElse(null));
            throw e;
        } catch (TransientCryptoException e) {
            metrics.recordKmsCall(Duration.between(start, clock.instant()), e.errorCode());
            throw e;
        }
    }

    private SecretWriteResult write(SecretUpdate update) throws SecretWriteException {
        Instant start = clock.instant();
        try {
            SecretWriteResult result = writer.write(update);
            metrics.recordSecretsManagerCall(Duration.between(start, clock.instant()), null);
            return result;
        } catch (SecretWriteException e) {
            metrics.recordSecretsManagerCall(Duration.between(start, clock.instant()), e.errorCode());
            throw e;
        }
    }

    /** The code before the first colon of a reason, for a low-cardinality metric tag. */
    private static String reasonCode(String reason) {
        if (reason == null) {
            return null;
        }
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }
}
