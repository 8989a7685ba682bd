package io.credsync.replication;

import static io.credsync.replication.TestBatches.batch;
import static io.credsync.replication.TestBatches.resent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AckTrackerTest {

    private final AckTracker tracker = new AckTracker();

    @Test
    void confirmsNothingBeforeAnythingWasReceived() {
        assertThat(tracker.confirmable(Lsn.INVALID)).isEqualTo(Lsn.INVALID);
        assertThat(tracker.lastConfirmable()).isEqualTo(Lsn.INVALID);
    }

    @Test
    void confirmsTheLastReceivedPositionWhenNothingIsInFlight() {
        assertThat(tracker.confirmable(Lsn.of(100)))
                .as("nothing was handed over, so everything received is done")
                .isEqualTo(Lsn.of(100));
    }

    @Test
    void keepaliveServerPositionAdvancesTheConfirmedPositionOfAnIdleOutbox() {
        tracker.confirmable(Lsn.of(100));
        assertThat(tracker.confirmable(Lsn.of(64L << 20)))
                .as("a busy database with an idle outbox: the slot must not hold its WAL")
                .isEqualTo(Lsn.of(64L << 20));
    }

    @Test
    void neverConfirmsAnUndeliveredBatch() {
        tracker.handedOver(batch(100));

        assertThat(tracker.confirmable(Lsn.of(150)))
                .as("the batch ending at 100 is not delivered, so neither it nor 150 may be confirmed")
                .isEqualTo(Lsn.INVALID);
    }

    @Test
    void keepsThePositionConfirmedBeforeAnUndeliveredBatch() {
        tracker.confirmable(Lsn.of(50));
        tracker.handedOver(batch(100));

        assertThat(tracker.confirmable(Lsn.of(5000)))
                .as("a keepalive past the batch must not move the position while it is in flight")
                .isEqualTo(Lsn.of(50));
    }

    @Test
    void confirmsPastABatchOnceItIsDelivered() {
        OutboxBatch batch = batch(100);
        tracker.handedOver(batch);
        tracker.confirmable(Lsn.of(100));

        assertThat(tracker.delivered(batch)).as("it was in flight").isTrue();

        assertThat(tracker.confirmable(Lsn.of(150)))
                .as("nothing in flight any more: the last received position")
                .isEqualTo(Lsn.of(150));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void aBatchDeliveredEarlyWaitsForTheBatchesBeforeIt() {
        OutboxBatch first = batch(100);
        OutboxBatch second = batch(200);
        tracker.confirmable(Lsn.of(50));
        tracker.handedOver(first);
        tracker.handedOver(second);

        tracker.delivered(second);
        assertThat(tracker.confirmable(Lsn.of(300)))
                .as("the first batch is still undelivered")
                .isEqualTo(Lsn.of(50));

        tracker.delivered(first);
        assertThat(tracker.confirmable(Lsn.of(300))).as("both delivered").isEqualTo(Lsn.of(300));
    }

    @Test
    void confirmsTheEndOfTheLastDeliveredBatchBeforeTheFirstUndeliveredOne() {
        OutboxBatch first = batch(100);
        OutboxBatch second = batch(200);
        OutboxBatch third = batch(300);
        tracker.handedOver(first);
        tracker.handedOver(second);
        tracker.handedOver(third);

        tracker.delivered(first);
        tracker.delivered(second);

        assertThat(tracker.confirmable(Lsn.of(400)))
                .as("the end of the second batch's commit record, not the received position")
                .isEqualTo(Lsn.of(200));
        assertThat(tracker.inFlight()).as("only the third is left").isEqualTo(1);
    }

    @Test
    void neverMovesBackwards() {
        tracker.confirmable(Lsn.of(500));

        assertThat(tracker.confirmable(Lsn.of(300)))
                .as("after a keepalive, a transaction that began earlier arrives with a lower position")
                .isEqualTo(Lsn.of(500));
        assertThat(tracker.confirmable(Lsn.INVALID)).isEqualTo(Lsn.of(500));
    }

    @Test
    void deliveringABatchTwiceIsHarmless() {
        OutboxBatch batch = batch(100);
        tracker.handedOver(batch);

        assertThat(tracker.delivered(batch)).isTrue();
        assertThat(tracker.delivered(batch)).as("already delivered").isFalse();
        assertThat(tracker.confirmable(Lsn.of(100))).isEqualTo(Lsn.of(100));
    }

    @Test
    void deliveringABatchThatIsNotInFlightIsIgnored() {
        tracker.handedOver(batch(200));

        assertThat(tracker.delivered(batch(100))).as("never handed over").isFalse();
        assertThat(tracker.confirmable(Lsn.of(300))).as("the batch at 200 still holds it").isEqualTo(Lsn.INVALID);
    }

    @Test
    void handingOverTheSameTransactionTwiceOnOneConnectionIsABug() {
        OutboxBatch batch = batch(100);
        tracker.handedOver(batch);

        assertThatThrownBy(() -> tracker.handedOver(resent(batch)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reset()");
    }

    @Test
    void resetForgetsBatchesInFlightAndTheirResentCopiesHoldThePositionAgain() {
        OutboxBatch batch = batch(100);
        tracker.confirmable(Lsn.of(50));
        tracker.handedOver(batch);

        tracker.reset(Lsn.of(50));
        assertThat(tracker.inFlight()).isZero();
        tracker.handedOver(resent(batch));

        assertThat(tracker.confirmable(Lsn.of(150)))
                .as("the copy the server sent again is as undelivered as the original")
                .isEqualTo(Lsn.of(50));
    }

    @Test
    void resetKeepsThePositionAlreadyConfirmed() {
        tracker.confirmable(Lsn.of(500));

        tracker.reset(Lsn.of(300));

        assertThat(tracker.confirmable(Lsn.of(310)))
                .as("the slot may have kept an older position than we last reported; ours only covers"
                        + " delivered batches")
                .isEqualTo(Lsn.of(500));
    }

    @Test
    void resetRaisesThePositionToTheSlotsConfirmedOne() {
        tracker.reset(Lsn.of(700));

        assertThat(tracker.lastConfirmable()).isEqualTo(Lsn.of(700));
        assertThat(tracker.confirmable(Lsn.of(650)))
                .as("a transaction that began before the slot's position arrives first; reporting its"
                        + " position would move the slot backwards")
                .isEqualTo(Lsn.of(700));
    }

    @Test
    void aLateDeliveryOfTheOldCopyCountsForTheResentCopy() {
        OutboxBatch original = batch(100);
        tracker.handedOver(original);
        tracker.reset(Lsn.of(50));
        tracker.handedOver(resent(original));

        assertThat(tracker.delivered(original))
                .as("same transaction, same events: delivering one copy delivers both")
                .isTrue();
        assertThat(tracker.confirmable(Lsn.of(150))).isEqualTo(Lsn.of(150));
    }

    @Test
    void aDeliveryOfTheOldCopyBeforeTheResentCopyArrivesIsIgnored() {
        OutboxBatch original = batch(100);
        tracker.handedOver(original);
        tracker.reset(Lsn.of(50));

        assertThat(tracker.delivered(original)).as("nothing is in flight on the new connection").isFalse();
        tracker.handedOver(resent(original));
        assertThat(tracker.confirmable(Lsn.of(150)))
                .as("the resent copy must be delivered (the delivery side dedupes it)")
                .isEqualTo(Lsn.of(50));
    }

    @Test
    void aResentBatchBelowTheConfirmedPositionNeverPullsItBack() {
        OutboxBatch batch = batch(100);
        tracker.handedOver(batch);
        tracker.delivered(batch);
        tracker.confirmable(Lsn.of(500));
        tracker.reset(Lsn.of(80));

        tracker.handedOver(resent(batch));
        OutboxBatch later = batch(600);
        tracker.handedOver(later);
        tracker.delivered(later);

        assertThat(tracker.confirmable(Lsn.of(700)))
                .as("the resent copy holds the position where it was, neither back nor forward")
                .isEqualTo(Lsn.of(500));
    }

    @Test
    void countsBatchesInFlightUntilTheyArePassed() {
        OutboxBatch first = batch(100);
        tracker.handedOver(first);
        tracker.handedOver(batch(200));
        tracker.delivered(first);

        assertThat(tracker.inFlight()).as("delivered but not yet passed").isEqualTo(2);
        tracker.confirmable(Lsn.of(200));
        assertThat(tracker.inFlight()).isEqualTo(1);
    }

    @Test
    void neverPassesAnUndeliveredBatchWhileAnotherThreadDeliversOutOfOrder() throws Exception {
        int count = 2000;
        Set<Lsn> delivered = ConcurrentHashMap.newKeySet();
        LinkedBlockingQueue<OutboxBatch> handed = new LinkedBlockingQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread delivery = new Thread(() -> {
            Random random = new Random(42);
            List<OutboxBatch> window = new ArrayList<>();
            try {
                for (int taken = 0; taken < count; ) {
                    OutboxBatch batch = handed.poll(5, TimeUnit.SECONDS);
                    if (batch == null) {
                        throw new AssertionError("the replication side stopped handing over");
                    }
                    taken++;
                    window.add(batch);
                    if (window.size() >= 1 + random.nextInt(8) || taken == count) {
                        Collections.shuffle(window, random);
                        for (OutboxBatch b : window) {
                            delivered.add(b.endLsn());
                            tracker.delivered(b);
                        }
                        window.clear();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        }, "test-delivery");
        delivery.start();

        Lsn previous = Lsn.INVALID;
        for (int i = 1; i <= count; i++) {
            OutboxBatch batch = batch(i * 100L);
            tracker.handedOver(batch);
            handed.add(batch);
            Lsn confirmable = tracker.confirmable(Lsn.of(i * 100L + 50));
            assertThat(confirmable).as("monotonic").isGreaterThanOrEqualTo(previous);
            // Batches up to the previous result were checked before, and stay delivered.
            for (long end = (previous.asLong() / 100 + 1) * 100; end <= confirmable.asLong() && end <= i * 100L;
                    end += 100) {
                if (!delivered.contains(Lsn.of(end))) {
                    throw new AssertionError(confirmable + " passes the undelivered batch ending at " + Lsn.of(end));
                }
            }
            previous = confirmable;
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();

        assertThat(tracker.confirmable(Lsn.of(count * 100L + 50)))
                .as("all delivered: the last received position")
                .isEqualTo(Lsn.of(count * 100L + 50));
    }
}
