package io.credsync.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BacklogFiguresTest {

    private static final Instant READ_AT = Instant.parse("2026-12-04T08:00:00Z");

    @Test
    void theOldestPendingAgeGrowsByTheReadersClockBetweenReads() {
        BacklogFigures figures = new BacklogFigures(1, Duration.ofSeconds(7), 0, READ_AT);

        assertThat(figures.oldestPendingAgeAt(READ_AT)).isEqualTo(Duration.ofSeconds(7));
        assertThat(figures.oldestPendingAgeAt(READ_AT.plusSeconds(30))).isEqualTo(Duration.ofSeconds(37));
        assertThat(figures.oldestPendingAgeAt(READ_AT.minusSeconds(5))).as("a clock set back shrinks nothing")
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void nothingPendingHasNoAgeAtAnyTime() {
        BacklogFigures figures = new BacklogFigures(0, null, 2, READ_AT);

        assertThat(figures.oldestPendingAgeAt(READ_AT.plusSeconds(60))).isNull();
        assertThat(DatabaseSnapshot.of(new SlotFigures("s", false, false, null, null, null, null), figures,
                READ_AT.plusSeconds(60)).oldestPendingAge()).isNull();
    }
}
