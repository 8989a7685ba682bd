package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * A sink that records every batch and every slot re-creation; optionally it blocks in
 * {@link #accept} until {@link #release()}, like a full delivery queue. Thread-safe.
 */
final class RecordingSink implements OutboxBatchSink {

    private final List<OutboxBatch> offered = new CopyOnWriteArrayList<>();
    private final List<OutboxBatch> batches = new CopyOnWriteArrayList<>();
    private final AtomicInteger slotsRecreated = new AtomicInteger();
    private final CountDownLatch gate;
    private final CountDownLatch entered = new CountDownLatch(1);

    private RecordingSink(boolean blocking) {
        this.gate = new CountDownLatch(blocking ? 1 : 0);
    }

    static RecordingSink recording() {
        return new RecordingSink(false);
    }

    /** A sink that blocks every hand-over until {@link #release()}. */
    static RecordingSink blocking() {
        return new RecordingSink(true);
    }

    @Override
    public void accept(OutboxBatch batch) throws InterruptedException {
        offered.add(batch);
        entered.countDown();
        gate.await();
        batches.add(batch);
    }

    @Override
    public void slotRecreated() {
        slotsRecreated.incrementAndGet();
    }

    void release() {
        gate.countDown();
    }

    /** Whether some hand-over reached {@link #accept} within {@code timeout}. */
    boolean awaitEntered(Duration timeout) throws InterruptedException {
        return entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The batches handed to {@link #accept} so far, taken or still blocked, in order. */
    List<OutboxBatch> offered() {
        return List.copyOf(offered);
    }

    /** The batches taken so far, in order. */
    List<OutboxBatch> batches() {
        return List.copyOf(batches);
    }

    /** The first {@code count} batches, waiting up to {@code timeout} for them. */
    List<OutboxBatch> await(int count, Duration timeout) {
        Awaitility.await(count + " batches taken by the sink").atMost(timeout).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(batches()).as("the batches taken").hasSizeGreaterThanOrEqualTo(count));
        return List.copyOf(batches.subList(0, count));
    }

    int slotsRecreated() {
        return slotsRecreated.get();
    }
}
