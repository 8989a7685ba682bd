package io.credsync.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogFormatTest {

    @Test
    void withoutAnOverrideATerminalGetsTextAndAnythingElseJson() {
        assertThat(LogFormat.choose(null, () -> true)).hasValue(LogFormat.TEXT);
        assertThat(LogFormat.choose(null, () -> false)).hasValue(LogFormat.JSON);
        assertThat(LogFormat.choose(" AUTO ", () -> false)).hasValue(LogFormat.JSON);
        assertThat(LogFormat.choose("", () -> true)).hasValue(LogFormat.TEXT);
    }

    @Test
    void theOverrideWinsOverTheTerminal() {
        assertThat(LogFormat.choose("json", () -> true)).hasValue(LogFormat.JSON);
        assertThat(LogFormat.choose("Text", () -> false)).hasValue(LogFormat.TEXT);
    }

    @Test
    void anUnknownOverrideIsReportedAsSuchNotGuessed() {
        assertThat(LogFormat.choose("jsonl", () -> false)).isEqualTo(Optional.empty());
    }

    @Test
    void terminalsArePseudoTerminalsAndConsolesNotPipesFilesOrDevNull() {
        assertThat(LogFormat.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(LogFormat.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(LogFormat.isTerminalDevice("/dev/console")).isTrue();
        assertThat(LogFormat.isTerminalDevice("pipe:[123456]")).isFalse();
        assertThat(LogFormat.isTerminalDevice("socket:[123456]")).isFalse();
        assertThat(LogFormat.isTerminalDevice("/dev/null")).isFalse();
        assertThat(LogFormat.isTerminalDevice("/var/log/credsync.log")).isFalse();
    }
}
