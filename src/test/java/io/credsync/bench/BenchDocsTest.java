package io.credsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchDocsTest {

    private static final Map<String, Object> OLD_MACHINE = Map.of("description", "an old machine");
    private static final Map<String, Object> NEW_MACHINE = Map.of("cores", 2, "cpu", "Test CPU", "memory_gib", 8,
            "os", "Debian 12", "kernel", "6.1", "postgresql", "15.10", "java", "17.0.1");

    @TempDir
    Path dir;

    @Test
    void shouldReplaceOnlyTheFiguresOfTheBenchmarksThatRanAndKeepTheOthers() throws Exception {
        BenchDocs docs = docs("before\n" + BenchDocs.BEGIN + "\nstale\n" + BenchDocs.END + "\nafter\n");
        docs.update(List.of(figure("alter-role", 1.0), figure("burst", 2.0)), Instant.parse("2026-11-27T10:00:00Z"),
                OLD_MACHINE);

        docs.update(List.of(figure("alter-role", 3.0)), Instant.parse("2026-11-28T12:30:00Z"), NEW_MACHINE);

        String readme = Files.readString(dir.resolve("README.md"));
        assertThat(readme).startsWith("before\n" + BenchDocs.BEGIN + "\n").endsWith(BenchDocs.END + "\nafter\n")
                .doesNotContain("stale");
        assertThat(readme).contains("- `alter-role`: 2026-11-28 12:30 UTC, on 2 cores (Test CPU), 8 GiB, Debian 12"
                + " (Linux 6.1), PostgreSQL 15.10, Java 17.0.1\n");
        assertThat(readme).contains("- `burst`: 2026-11-27 10:00 UTC, on an old machine\n");
        assertThat(readme).contains("3.000").contains("2.000").doesNotContain("1.000");
        assertThat(readme.indexOf("alter-role      ")).as("the table follows the given order")
                .isLessThan(readme.indexOf("burst      "));
        assertThat(Files.readString(dir.resolve("benchmarks.md"))).isEqualTo(readme);
    }

    @Test
    void shouldRefuseADocumentWithoutMarkersAndChangeNothing() throws Exception {
        BenchDocs docs = docs(BenchDocs.BEGIN + "\n" + BenchDocs.END + "\n");
        Files.writeString(dir.resolve("benchmarks.md"), "no markers here\n");

        assertThatThrownBy(() -> docs.update(List.of(figure("alter-role", 1.0)), Instant.now(), NEW_MACHINE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("benchmarks.md");
        assertThat(dir.resolve("benchmarks.json")).doesNotExist();
        assertThat(Files.readString(dir.resolve("README.md"))).isEqualTo(BenchDocs.BEGIN + "\n" + BenchDocs.END + "\n");
    }

    private BenchDocs docs(String text) throws Exception {
        Files.writeString(dir.resolve("README.md"), text);
        Files.writeString(dir.resolve("benchmarks.md"), text);
        return new BenchDocs(dir.resolve("benchmarks.json"), List.of(dir.resolve("README.md"),
                dir.resolve("benchmarks.md")), List.of("alter-role", "burst"));
    }

    private static BenchResult figure(String benchmark, double value) {
        return BenchResult.atMost(benchmark, "a scenario", "a metric", value, "ms", 5);
    }
}
