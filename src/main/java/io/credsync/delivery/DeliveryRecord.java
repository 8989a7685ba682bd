package io.credsync.delivery;

import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import java.util.Objects;

/**
 * One row of {@code credsync.delivery}: the outcome of one outbox event.
 *
 * <p>Immutable and thread-safe. {@code reason}, {@code secretArn}, {@code secretVersion} and
 * {@code lsn} may be null.
 */
public record DeliveryRecord(long outboxId, EventId eventId, String roleName, DeliveryStatus status, int attempts,
        String reason, String secretArn, String secretVersion, Lsn lsn) {

    public DeliveryRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(roleName, "roleName");
        Objects.requireNonNull(status, "status");
    }

    static DeliveryRecord synced(OutboxEvent event, int attempts, String secretArn, String secretVersion, Lsn lsn) {
        return new DeliveryRecord(event.id(), event.eventId(), event.roleName(), DeliveryStatus.SYNCED, attempts,
                null, secretArn, secretVersion, lsn);
    }

    static DeliveryRecord of(OutboxEvent event, DeliveryStatus status, int attempts, String reason, Lsn lsn) {
        return new DeliveryRecord(event.id(), event.eventId(), event.roleName(), status, attempts, reason, null, null,
                lsn);
    }
}
