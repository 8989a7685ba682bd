package io.credsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteRateLimiterTest {

    /** A clock that only moves when the limiter sleeps, and a record of every sleep. */
    private static final class FakeTime implements Sleeper {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);
        final List<Duration> sleeps = new ArrayList<>();

        long now() {
            return nanos.get();
        }

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            advance(duration);
        }
    }

    @Test
    void aLoneWriteNeverWaitsWhenATokenIsFree() throws Exception {
        FakeTime time = new FakeTime();
        WriteRateLimiter limiter = new WriteRateLimiter(10, time::now, time);

        assertThat(limiter.acquire()).isZero();
        time.advance(Duration.ofSeconds(5));
        assertThat(limiter.acquire()).as("the bucket refilled while nothing was written").isZero();
        assertThat(time.sleeps).isEmpty();
    }

    @Test
    void writesInABurstStartOneIntervalApartSoNoSecondHoldsMoreThanTheCeiling() throws Exception {
        FakeTime time = new FakeTime();
        WriteRateLimiter limiter = new WriteRateLimiter(10, time::now, time);
        List<Long> starts = new ArrayList<>();

        for (int i = 0; i < 35; i++) {
            limiter.acquire();
            starts.add(time.now());
        }

        for (int i = 1; i < starts.size(); i++) {
            assertThat(starts.get(i) - starts.get(i - 1)).as("spacing of write " + i + ": 2 % over a tenth of a second")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(102).toNanos());
        }
        for (long windowStart : starts) {
            long inWindow = starts.stream().filter(t -> t >= windowStart && t < windowStart + 1_000_000_000L).count();
            assertThat(inWindow).as("writes started in the second from " + windowStart).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void reportsHowLongEachWriteWaited() throws Exception {
        FakeTime time = new FakeTime();
        WriteRateLimiter limiter = new WriteRateLimiter(4, time::now, time);

        assertThat(limiter.acquire()).isZero();
        assertThat(limiter.acquire()).isEqualTo(Duration.ofMillis(255));
        time.advance(Duration.ofMillis(100));
        assertThat(limiter.acquire()).as("the next slot is 255 ms after the last, 155 ms from now")
                .isEqualTo(Duration.ofMillis(155));
    }

    @Test
    void waitsAreRoundedUpToWholeMillisecondsSoNoWriteStartsBeforeItsSlot() throws Exception {
        FakeTime time = new FakeTime();
        WriteRateLimiter limiter = new WriteRateLimiter(9, time::now, time);

        limiter.acquire();
        limiter.acquire();

        assertThat(time.sleeps).as("113.33 ms").containsExactly(Duration.ofMillis(114));
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        FakeTime time = new FakeTime();
        WriteRateLimiter limiter = new WriteRateLimiter(0, time::now, time);

        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.acquire()).isZero();
        }
        assertThat(time.sleeps).isEmpty();
        assertThat(WriteRateLimiter.unlimited().acquire()).isZero();
    }

    @Test
    void aNegativeCeilingIsRefused() {
        assertThatThrownBy(() -> new WriteRateLimiter(-1, System::nanoTime, Sleeper.SYSTEM))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
