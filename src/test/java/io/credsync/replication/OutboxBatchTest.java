package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.outbox.OutboxEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxBatchTest {

    @Test
    void keepsItsOwnCopyOfTheEventsInOrder() {
        List<OutboxEvent> events = new ArrayList<>(List.of(TestBatches.event("a"), TestBatches.event("b")));
        OutboxBatch batch = new OutboxBatch(events, Lsn.of(100), TestBatches.COMMIT_TIME);

        events.clear();

        assertThat(batch.events()).extracting(OutboxEvent::roleName).containsExactly("a", "b");
        assertThat(batch.size()).isEqualTo(2);
        assertThatThrownBy(() -> batch.events().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void holdsAtLeastOneEventAndAValidPosition() {
        assertThatThrownBy(() -> new OutboxBatch(List.of(), Lsn.of(100), TestBatches.COMMIT_TIME))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OutboxBatch(List.of(TestBatches.event("a")), Lsn.INVALID,
                TestBatches.COMMIT_TIME))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printsNoEnvelope() {
        OutboxBatch batch = TestBatches.batch(100);

        assertThat(batch.toString()).contains("role_100").doesNotContain("ciphertext");
    }
}
