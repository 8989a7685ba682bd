package io.credsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NoPasswordInTest {

    @Test
    void shouldSayWhereAPasswordWasFoundWithoutQuotingIt() {
        String log = "line one\nline two has hunter2-Secret in it\n";

        assertThatThrownBy(() -> NoPasswordIn.assertAbsent(log, "the server log", List.of("absent", "hunter2-Secret")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the server log holds value 2 of 2 (14 characters) at line 2, column 14")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("hunter2").doesNotContain("line two"));
    }

    @Test
    void shouldPassWhenNoneOfTheValuesIsInTheText() {
        assertThatCode(() -> NoPasswordIn.assertAbsent("nothing here", "an output", List.of("secret", "")))
                .doesNotThrowAnyException();
    }
}
