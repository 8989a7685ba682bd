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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery thread: takes the batches the replication thread hands over, delivers them
 * through the {@link DeliveryPipeline} (several batches at once, so that a burst of changes to
 * one role is coalesced into one write), and tells the {@link AckTracker} which batches are
 * done, so that their WAL can be confirmed.
 *
 * <p>In a burst, a {@link RoundPacer} spaces the rounds out a little, so that more changes of
 * each role coalesce.
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
    /** How long closing the pipeline may take when {@link #run} ends without a deadline given. */
    private static final Duration DEFAULT_CLOSE = Duration.ofSeconds(5);

    private final DeliveryPipeline pipeline;
    private final AckTracker tracker;
    private final int maxEventsPerRound;
    private final BlockingQueue<OutboxBatch> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final RoundPacer pacer;
    private volatile boolean catchUpRequested;
    private volatile boolean stopping;
    /** By when {@link #run} must have closed the pipeline once stopped; null until {@link #stop(Deadline)}. */
    private volatile Deadline closeBy;

    public DeliveryWorker(DeliveryPipeline pipeline, AckTracker tracker, int maxEventsPerRound) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        if (maxEventsPerRound < 1) {
            throw new IllegalArgumentException("maxEventsPerRound must be positive: " + maxEventsPerRound);
        }
        this.maxEventsPerRound = maxEventsPerRound;
        this.pacer = new RoundPacer(System::nanoTime);
    }

    @Override
    public void accept(OutboxBatch batch) throws InterruptedException {
        queue.put(batch);
        pacer.accepted();
    }

    @Override
    public void slotRecreated() {
        catchUpRequested = true;
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
                OutboxBatch first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    pacer.roundEnded(deliverRound(first));
                    Duration wait;
                    while (!stopping && !(wait = pacer.remainingWait(queue.size() >= maxEventsPerRound)).isZero()) {
                        TimeUnit.NANOSECONDS.sleep(wait.toNanos());
                    }
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
    }

    /**
     * Makes {@link #run} return after the round in progress, and close the pipeline by
     * {@code closeBy} (its role threads and their connections).
     */
    public void stop(Deadline closeBy) {
        this.closeBy = closeBy;
        stopping = true;
    }

    /** Delivers {@code first} and the batches queued behind it, up to a round's size; returns how many events. */
    private int deliverRound(OutboxBatch first) throws InterruptedException {
        List<OutboxBatch> batches = new ArrayList<>();
        List<OutboxEvent> events = new ArrayList<>(first.events());
        batches.add(first);
        OutboxBatch next;
        while (events.size() < maxEventsPerRound && (next = queue.peek()) != null
                && events.size() + next.size() <= maxEventsPerRound) {
            batches.add(queue.remove());
            events.addAll(next.events());
        }
        pipeline.deliver(events, batches.get(batches.size() - 1).endLsn());
        for (OutboxBatch batch : batches) {
            tracker.delivered(batch);
        }
        return events.size();
    }

}
