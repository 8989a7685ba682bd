package io.credsync.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void remainingShrinksAsTimePassesAndStopsAtZero() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(9), now::get);

        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(deadline.remaining()).isEqualTo(Duration.ofSeconds(5));
        assertThat(deadline.passed()).isFalse();

        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(deadline.remaining()).as("never negative").isZero();
        assertThat(deadline.remainingMillis()).isZero();
        assertThat(deadline.passed()).isTrue();
    }

    @Test
    void aReserveMakesAnEarlierDeadlineSoThatWhatFollowsKeepsItsShare() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(9), now::get);

        Deadline delivery = deadline.reserving(Duration.ofSeconds(3));

        assertThat(delivery.remaining()).isEqualTo(Duration.ofSeconds(6));
        now.addAndGet(Duration.ofSeconds(7).toNanos());
        assertThat(delivery.passed()).as("the step's share is used up").isTrue();
        assertThat(deadline.remaining()).as("what follows keeps its share").isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aFewNanosecondsLeftStillCountAsAMillisecondToWait() {
        Deadline deadline = Deadline.after(Duration.ofNanos(10), now::get);

        assertThat(deadline.remainingMillis()).as("Thread.join(0) would wait for ever").isEqualTo(1);
    }

    @Test
    void joinGivesUpOnAThreadThatOutlivesTheDeadline() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread stuck = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stuck.start();
        try {
            long start = System.nanoTime();
            assertThat(Deadline.after(Duration.ofMillis(200)).join(stuck)).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(Deadline.after(Duration.ZERO).join(stuck)).as("a passed deadline does not wait").isFalse();
        } finally {
            release.countDown();
        }
        assertThat(Deadline.after(Duration.ofSeconds(10)).join(stuck)).isTrue();
    }

    @Test
    void awaitTerminationWaitsForAnExecutorUntilTheDeadlineOnly() throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        executor.shutdown();
        try {
            assertThat(Deadline.after(Duration.ofMillis(100)).awaitTermination(executor)).isFalse();
        } finally {
            release.countDown();
        }
        assertThat(Deadline.after(Duration.ofSeconds(10)).awaitTermination(executor)).isTrue();
    }

    @Test
    void refusesANegativeBudgetOrReserve() {
        assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(1)).reserving(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
