package io.credsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.replication.OutboxBatch;
import io.credsync.outbox.EventId;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchQueueTest {

    @Test
    void aRoundTakesTheBatchesThatFitTogetherAndAlwaysTheFirst() throws Exception {
        BatchQueue queue = new BatchQueue(10);
        OutboxBatch big = batch(5, 100);
        OutboxBatch small = batch(2, 200);
        OutboxBatch next = batch(2, 300);
        queue.put(big);
        queue.put(small);
        queue.put(next);

        assertThat(queue.takeRound(3)).as("the first, even over the size").containsExactly(big);
        assertThat(queue.takeRound(4)).containsExactly(small, next);
    }

    @Test
    void aWaitingTakeSleepsUntilABatchComesOrAWakeUp() throws Exception {
        BatchQueue queue = new BatchQueue(10);
        CompletableFuture<List<OutboxBatch>> waiting = CompletableFuture.supplyAsync(() -> take(queue));
        Thread.sleep(100);
        assertThat(waiting).as("nothing queued: still waiting").isNotDone();

        queue.wakeUp();

        assertThat(waiting.get(5, TimeUnit.SECONDS)).as("woken with nothing").isEmpty();
        OutboxBatch batch = batch(1, 400);
        CompletableFuture<List<OutboxBatch>> second = CompletableFuture.supplyAsync(() -> take(queue));
        queue.put(batch);
        assertThat(second.get(5, TimeUnit.SECONDS)).containsExactly(batch);
    }

    /** A batch of {@code events} placeholder events (never a real envelope) ending at {@code endLsn}. */
    private static OutboxBatch batch(int events, long endLsn) {
        List<OutboxEvent> list = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            list.add(new OutboxEvent(endLsn * 100 + i, new EventId(UUID.randomUUID()), "role_" + i,
                    "arn:aws:kms:us-east-1:111122223333:key/test", "header.key.iv.ciphertext.tag", null, Instant.EPOCH));
        }
        return new OutboxBatch(list, Lsn.of(endLsn), Instant.EPOCH);
    }

    private static List<OutboxBatch> take(BatchQueue queue) {
        try {
            return queue.takeRound(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
