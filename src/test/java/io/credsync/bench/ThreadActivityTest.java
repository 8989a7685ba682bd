package io.credsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ThreadActivityTest {

    @Test
    void shouldSumThreadsUnderTheirKeyMostCpuFirst() {
        List<ThreadActivity.Thread> threads = List.of(new ThreadActivity.Thread("delivery-1", 5, 1),
                new ThreadActivity.Thread("C1 CompilerThre", 20, 3), new ThreadActivity.Thread("delivery-2", 30, 2));

        assertThat(ThreadActivity.summed(threads, name -> name.replaceAll("-\\d+$", ""))).containsExactly(
                new ThreadActivity.Thread("delivery", 35, 3), new ThreadActivity.Thread("C1 CompilerThre", 20, 3));
    }

    @Test
    void shouldKeepThreadsOfEqualCpuInTheOrderTheirNameFirstCame() {
        List<ThreadActivity.Thread> threads = List.of(new ThreadActivity.Thread("b", 1, 4),
                new ThreadActivity.Thread("a", 1, 2));

        assertThat(ThreadActivity.summed(threads, UnaryOperator.identity())).containsExactly(
                new ThreadActivity.Thread("b", 1, 4), new ThreadActivity.Thread("a", 1, 2));
    }
}
