package io.credsync.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    void eachWaitLiesInTheUpperHalfOfItsDoublingStep() {
        SplittableRandom random = new SplittableRandom(7);
        long[] steps = {100, 200, 400, 800, 1600, 2000, 2000};
        for (int attempt = 0; attempt < steps.length; attempt++) {
            for (int draw = 0; draw < 200; draw++) {
                long millis = policy.delay(attempt, random).toMillis();
                assertThat(millis).as("attempt %d", attempt).isBetween(steps[attempt] / 2, steps[attempt]);
            }
        }
    }

    @Test
    void aHugeAttemptNumberStaysAtTheMaximumWithoutOverflowing() {
        assertThat(policy.delay(Integer.MAX_VALUE, new SplittableRandom(1)))
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void aMaximumBelowTheInitialWaitIsRefused() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
