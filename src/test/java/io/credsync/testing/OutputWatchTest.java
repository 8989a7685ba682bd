package io.credsync.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OutputWatchTest {

    private final OutputWatch watch = new OutputWatch();

    @Test
    void shouldFailWhenAnOutputHoldsARegisteredPassword() {
        watch.output("connected as app with " + watch.password("s3cret-pw"));

        assertThatThrownBy(watch::assertNoPassword).isInstanceOf(AssertionError.class);
    }

    @Test
    void shouldFailWhenAnOutputHoldsAStringThatMustBeAbsent() {
        watch.output("{\"password\":\"x\"}");

        assertThatThrownBy(() -> watch.assertNoPassword("\"password\"")).isInstanceOf(AssertionError.class);
    }

    @Test
    void shouldPassWhenNoOutputHoldsAPasswordEvenWithNothingRegistered() {
        assertThatCode(watch::assertNoPassword).doesNotThrowAnyException();
        watch.password("s3cret-pw");
        watch.output("rotated role app");

        assertThatCode(watch::assertNoPassword).doesNotThrowAnyException();
    }
}
