package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    /** Always draws the largest value: the wait is the full step. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    /** Always draws zero: the wait is half the step. */
    private static final RandomGenerator LOWEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return 0;
        }
    };

    @Test
    void doublesTheStepUntilTheMaximum() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), HIGHEST);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            waits.add(backoff.next().toMillis());
        }

        assertThat(waits).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    }

    @Test
    void jitterKeepsEachWaitInTheUpperHalfOfItsStep() {
        ReconnectBackoff lowest = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), LOWEST);
        assertThat(lowest.next()).isEqualTo(Duration.ofMillis(50));
        assertThat(lowest.next()).isEqualTo(Duration.ofMillis(100));

        ReconnectBackoff random = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(30),
                new SplittableRandom(7));
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waits.add(random.next());
        }
        assertThat(waits).allSatisfy(wait -> assertThat(wait)
                .isBetween(Duration.ofMillis(50), Duration.ofSeconds(30)));
        assertThat(waits.subList(10, 50)).as("at the maximum step, still jittered")
                .allSatisfy(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(15)))
                .doesNotHaveDuplicates();
    }

    @Test
    void resetStartsAgainFromTheInitialWait() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), HIGHEST);
        backoff.next();
        backoff.next();
        backoff.next();

        backoff.reset();

        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void survivesAnyNumberOfAttemptsWithoutOverflow() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofNanos(1), Duration.ofDays(365), HIGHEST);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 200; i++) {
            last = backoff.next();
        }

        assertThat(last).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void rejectsAMaximumBelowTheInitialWait() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), HIGHEST))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
