package io.credsync.replication;

import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Batches and events for unit tests; the envelope is a placeholder, never a real JWE. */
final class TestBatches {

    static final Instant COMMIT_TIME = Instant.parse("2026-11-28T10:58:43.215810Z");
    private static final AtomicLong IDS = new AtomicLong();

    private TestBatches() {
    }

    /** A batch of one event whose commit record ends at {@code endLsn}. */
    static OutboxBatch batch(long endLsn) {
        return new OutboxBatch(List.of(event("role_" + endLsn)), Lsn.of(endLsn), COMMIT_TIME);
    }

    /** A copy of {@code batch} as the server sends it again after a reconnect: equal, not the same. */
    static OutboxBatch resent(OutboxBatch batch) {
        return new OutboxBatch(List.copyOf(batch.events()), batch.endLsn(), batch.commitTime());
    }

    static OutboxEvent event(String role) {
        return new OutboxEvent(IDS.incrementAndGet(), new EventId(UUID.randomUUID()), role,
                "arn:aws:kms:us-east-1:111122223333:key/test", "header.key.iv.ciphertext.tag", null, COMMIT_TIME);
    }
}
