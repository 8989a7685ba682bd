package io.credsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "500ms, PT0.5S",
            "10s, PT10S",
            "5m, PT5M",
            "1h, PT1H",
            "0s, PT0S",
            "PT10S, PT10S",
            "pt1m30s, PT1M30S",
            "P1D, PT24H",
            "' 10s ', PT10S",
    })
    void aNumberWithAUnitOrAnIsoDurationIsAccepted(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"10", "", "s", "1.5s", "10 s", "10sec", "10S", "-1s", "PT-1S", "10d",
            "999999999999999999h", "PT"})
    void anythingElseIsRefusedWithWhatIsExpected(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("must be a duration like 500ms, 10s, 5m, 1h or PT10S, got " + text);
    }

    @Test
    void aDurationIsPrintedInTheShortFormWhenItHasOne() {
        assertThat(Durations.format(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofNanos(1))).as("no short form below a millisecond").isEqualTo("PT0.000000001S");
    }
}
