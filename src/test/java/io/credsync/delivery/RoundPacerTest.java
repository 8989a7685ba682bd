package io.credsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RoundPacerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RoundPacer pacer = new RoundPacer(now::get);

    @Test
    void shouldNotWaitAfterASmallRoundSoThatALoneChangeIsDeliveredAtOnce() {
        pacer.accepted();
        pacer.roundEnded(RoundPacer.BURST_EVENTS - 1);

        assertThat(pacer.remainingWait(false)).isZero();
    }

    @Test
    void shouldWaitAfterABurstRoundUntilTheStreamHasBeenQuiet() {
        pacer.roundEnded(RoundPacer.BURST_EVENTS);
        pacer.accepted();

        assertThat(pacer.remainingWait(false)).isEqualTo(RoundPacer.QUIET);
        advance(Duration.ofMillis(30));
        assertThat(pacer.remainingWait(false)).isEqualTo(RoundPacer.QUIET.minusMillis(30));
        advance(Duration.ofMillis(20));
        assertThat(pacer.remainingWait(false)).as("quiet for QUIET: the burst is over").isZero();
    }

    @Test
    void shouldWaitAtMostMaxWaitWhileChangesKeepComing() {
        pacer.roundEnded(100);
        Duration waited = Duration.ZERO;
        while (true) {
            pacer.accepted();
            Duration wait = pacer.remainingWait(false);
            if (wait.isZero()) {
                break;
            }
            Duration step = wait.compareTo(Duration.ofMillis(10)) < 0 ? wait : Duration.ofMillis(10);
            advance(step);
            waited = waited.plus(step);
        }
        assertThat(waited).isEqualTo(RoundPacer.MAX_WAIT);
    }

    @Test
    void shouldStopWaitingAsSoonAsAFullRoundIsQueued() {
        pacer.roundEnded(100);
        pacer.accepted();

        assertThat(pacer.remainingWait(true)).isZero();
        assertThat(pacer.remainingWait(false)).as("and not again until the next round").isZero();
    }

    @Test
    void shouldWaitOnlyForQuietWhenTheStreamWentQuietBeforeTheRoundEnded() {
        pacer.accepted();
        advance(Duration.ofSeconds(2));
        pacer.roundEnded(100);

        assertThat(pacer.remainingWait(false)).as("nothing came during the round: the last changes go now").isZero();
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }
}
