package io.credsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BurstBenchmarkTest {

    private static final long MS = 1_000_000L;

    @Test
    void theMostWritesInAnySecondCountAHalfOpenSlidingWindow() {
        assertThat(BurstBenchmark.maxInAnySecond(List.of())).isZero();
        assertThat(BurstBenchmark.maxInAnySecond(List.of(0L, 100 * MS, 999 * MS, 1000 * MS)))
                .as("the write a whole second after the first is in the next window").isEqualTo(3);
        assertThat(BurstBenchmark.maxInAnySecond(List.of(0L, 900 * MS, 1100 * MS, 1200 * MS, 1800 * MS)))
                .as("the window need not start at the first write").isEqualTo(4);
    }
}
