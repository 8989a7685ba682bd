package io.credsync.delivery;

import io.credsync.lifecycle.Deadline;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.AckTracker;
import io.credsync.replication.OutboxBatch;
import io.credsync.replication.OutboxBatchSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery thread: takes the batches the replication thread hands over, delivers them
 * through the {@link DeliveryPipeline} (several batches at once, so that a burst of changes to
 * one role is coalesced into one write), and tells the {@link AckTracker} which batches are
 * done, so that their WAL can be confirmed.
 *
 * <p>In a burst, the write ceiling ({@link WriteRateLimiter}) paces the rounds: while a round's
 * roles wait for their turn to be written, the changes committed meanwhile queue up and coalesce,
 * each role's newest joining the write it waits for, or the next round.
 *
 * <p>Also delivers, before streaming and whenever the slot had to be recreated, every outbox
 * row that has no delivery row: the outbox table, not the slot, is the record of what is owed.
 *
 * <p>{@link #accept} and {@link #slotRecreated} are called by the replication thread;
 * {@link #run} is the delivery thread's body; {@link #stop} may be called from any thread.
 */
public final class DeliveryWorker implements OutboxBatchSink, Runnable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int QUEUE_CAPACITY = 1_000;
    /** How long closing the pipeline may take when no shutdown deadline was given. */
    private static final Duration DEFAULT_CLOSE = Duration.ofSeconds(5);

    private final DeliveryPipeline pipeline;
    private final AckTracker tracker;
    private final int maxEventsPerRound;
    private final BatchQueue queue = new BatchQueue(QUEUE_CAPACITY);
    private volatile boolean catchUpRequested;
    private volatile boolean stopping;
    private volatile Deadline closeBy;

    public DeliveryWorker(DeliveryPipeline pipeline, AckTracker tracker, int maxEventsPerRound) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        if (maxEventsPerRound < 1) {
            throw new IllegalArgumentException("maxEventsPerRound must be positive: " + maxEventsPerRound);
        }
        this.maxEventsPerRound = maxEventsPerRound;
    }

    @Override
    public void accept(OutboxBatch batch) throws InterruptedException {
        queue.put(batch);
    }

    @Override
    public void slotRecreated() {
        catchUpRequested = true;
        queue.wakeUp();
    }

    /**
     * Delivers every outbox row without a delivery row, oldest first, in rounds of at most
     * {@code maxEventsPerRound}. Called before streaming starts, on the thread that will then
     * run {@link #run}, or by it.
     */
    public void catchUp() throws InterruptedException {
        long afterId = 0;
        int total = 0;
        while (!stopping) {
            List<OutboxEvent> events = pipeline.undelivered(afterId, maxEventsPerRound);
            if (events.isEmpty()) {
                break;
            }
            pipeline.deliver(events, null);
            afterId = events.get(events.size() - 1).id();
            total += events.size();
        }
        if (total > 0) {
            log.info("delivered {} outbox events that had no delivery row", total);
        }
    }

    /** Delivers batches until {@link #stop()}; an interrupt abandons the round in progress. */
    @Override
    public void run() {
        try {
            while (!stopping) {
                if (catchUpRequested) {
                    catchUpRequested = false;
                    catchUp();
                }
                // Sleeps until a batch comes, or stop() or slotRecreated() wakes it.
                List<OutboxBatch> round = queue.takeRound(maxEventsPerRound);
                if (!round.isEmpty() && !stopping) {
                    deliverRound(round);
                }
            }
        } catch (InterruptedException e) {
            // Asked to stop in the middle of a round: what was not recorded is delivered again.
            Thread.currentThread().interrupt();
        } finally {
            Deadline deadline = closeBy;
            pipeline.close(deadline != null ? deadline : Deadline.after(DEFAULT_CLOSE));
        }
    }

    /** Makes {@link #run} return after the round in progress. */
    public void stop() {
        stopping = true;
        queue.wakeUp();
    }

    /**
     * Makes {@link #run} return after the round in progress, and close the pipeline by
     * {@code closeBy} (its role threads and their connections).
     */
    public void stop(Deadline closeBy) {
        this.closeBy = closeBy;
        stop();
    }

    /** Delivers the batches of one round together, then marks each delivered. */
    private void deliverRound(List<OutboxBatch> batches) throws InterruptedException {
        List<OutboxEvent> events = new ArrayList<>();
        batches.forEach(batch -> events.addAll(batch.events()));
        pipeline.deliver(events, batches.get(batches.size() - 1).endLsn());
        for (OutboxBatch batch : batches) {
            tracker.delivered(batch);
        }
    }
}
