package io.credsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.lifecycle.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RoleExecutorTest {

    private final RoleExecutor executor = new RoleExecutor(2);

    @AfterEach
    void close() {
        executor.close(Deadline.after(Duration.ofSeconds(5)));
    }

    @Test
    void shouldReturnOnlyWhenEveryTaskHasEnded() throws InterruptedException {
        AtomicInteger ended = new AtomicInteger();
        RoleExecutor.RoleTask task = () -> {
            Thread.sleep(20);
            ended.incrementAndGet();
        };

        executor.runAll(List.of(task, task, task, task, task));

        assertThat(ended).hasValue(5);
    }

    @Test
    void shouldInterruptAndAwaitTheOtherTasksWhenOneFails() {
        CountDownLatch blockedStarted = new CountDownLatch(1);
        AtomicBoolean blockedInterrupted = new AtomicBoolean();
        RoleExecutor.RoleTask blocked = () -> {
            blockedStarted.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                blockedInterrupted.set(true);
                throw e;
            }
        };
        RoleExecutor.RoleTask failing = () -> {
            blockedStarted.await(10, TimeUnit.SECONDS);
            throw new IllegalStateException("a role's delivery broke");
        };

        assertThatThrownBy(() -> executor.runAll(List.of(blocked, failing)))
                .isInstanceOf(IllegalStateException.class).hasMessage("a role's delivery broke");
        assertThat(blockedInterrupted).as("the other task was stopped before runAll returned").isTrue();
    }

    @Test
    void shouldFailRatherThanHangWhenClosedBeforeABatch() {
        executor.close(Deadline.after(Duration.ofSeconds(1)));

        assertThatThrownBy(() -> executor.runAll(List.of(() -> { }, () -> { })))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shouldRejectAConcurrencyBelowOne() {
        assertThatThrownBy(() -> new RoleExecutor(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
