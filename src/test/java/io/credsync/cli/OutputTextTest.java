package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutputTextTest {

    @Test
    void bytesShowHumanUnitsAndTheExactCount() {
        assertThat(OutputText.bytes(512L)).isEqualTo("512 bytes");
        assertThat(OutputText.bytes(1536L)).isEqualTo("1.5 KiB (1536 bytes)");
        assertThat(OutputText.bytes(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB (3221225472 bytes)");
        assertThat(OutputText.bytes(null)).as("a slot without that LSN").isEqualTo("unknown");
    }

    @Test
    void durationsShowTheTwoLargestUnits() {
        assertThat(OutputText.duration(Duration.ofMillis(420))).isEqualTo("0.4s");
        assertThat(OutputText.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(OutputText.duration(Duration.ofSeconds(12 * 60 + 5))).isEqualTo("12m 5s");
        assertThat(OutputText.duration(Duration.ofHours(3).plusMinutes(7).plusSeconds(9))).isEqualTo("3h 7m");
        assertThat(OutputText.duration(Duration.ofDays(2).plusHours(5))).isEqualTo("2d 5h");
    }

    @Test
    void timesAreUtcToTheSecond() {
        assertThat(OutputText.time(Instant.parse("2024-05-01T12:00:03.987Z"))).isEqualTo("2024-05-01 12:00:03Z");
    }

    @Test
    void controlCharactersFromTheDatabaseCannotForgeALineOrDriveTheTerminal() {
        assertThat(OutputText.safe("app\nWARNING: forged")).isEqualTo("app\\u000aWARNING: forged");
        assertThat(OutputText.safe("\u001b[2Japp")).isEqualTo("\\u001b[2Japp");
        assertThat(OutputText.safe("plain_role")).isEqualTo("plain_role");
    }

    @Test
    void tablesAlignColumnsAndLetTheLastRunOn() {
        StringWriter text = new StringWriter();
        new OutputTable("ID", "ROLE", "REASON").row("1", "app_long_name", "a reason").row("22", "x", null)
                .print(new PrintWriter(text, true), "  ");
        assertThat(text.toString().lines()).containsExactly(
                "  ID  ROLE           REASON",
                "  1   app_long_name  a reason",
                "  22  x");
    }
}
