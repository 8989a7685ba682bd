package io.credsync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs every benchmark (or those named as arguments; {@code --idle-seconds=N} shortens the idle one) one after the other on this machine,
 * prints a table, writes {@code target/bench/results.json}, and puts the figures into the
 * documentation ({@link BenchDocs}: {@code docs/benchmarks.json}, and the table in
 * {@code docs/benchmarks.md} and {@code README.md}). Run it through {@code ./scripts/bench},
 * which sets up the services first, from the checkout's root.
 */
public final class BenchMain {

    /** {@code --idle-seconds=N}: a shorter idle window than the five minutes, for a quick look. */
    private static final String IDLE_SECONDS = "--idle-seconds=";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Duration idleWindow = IdleBenchmark.DEFAULT_WINDOW;
        List<String> names = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith(IDLE_SECONDS)) {
                idleWindow = Duration.ofSeconds(Long.parseLong(arg.substring(IDLE_SECONDS.length())));
            } else {
                names.add(arg);
            }
        }
        List<Benchmark> all = List.of(new AlterRoleBenchmark(), new AwsOutageBenchmark(), new E2eLagBenchmark(),
                new BurstBenchmark(), new CatchUpBenchmark(), new IdleSlotBenchmark(), new IdleBenchmark(idleWindow),
                new DatabasesBenchmark());
        Set<String> wanted = Set.copyOf(names);
        Set<String> known = all.stream().map(Benchmark::name).collect(Collectors.toSet());
        if (!known.containsAll(wanted)) {
            System.err.println("unknown benchmark(s) " + wanted.stream().filter(w -> !known.contains(w)).sorted().toList()
                    + "; known: " + all.stream().map(Benchmark::name).toList());
            System.exit(2);
        }
        Instant ranAt = Instant.now();
        List<BenchResult> results = new ArrayList<>();
        for (Benchmark benchmark : all) {
            if (wanted.isEmpty() || wanted.contains(benchmark.name())) {
                System.out.println("running " + benchmark.name() + " ...");
                results.addAll(benchmark.run());
            }
        }
        Map<String, Object> machine = Machine.current();
        write(results, ranAt, machine, Path.of("target", "bench", "results.json"));
        new BenchDocs(Path.of("docs", "benchmarks.json"), List.of(Path.of("docs", "benchmarks.md"), Path.of("README.md")),
                all.stream().map(Benchmark::name).toList()).update(results, ranAt, machine);
        System.out.print(BenchTable.render(results));
        System.exit(0);
    }

    private static void write(List<BenchResult> results, Instant ranAt, Map<String, Object> machine, Path file)
            throws Exception {
        Files.createDirectories(file.getParent());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("ran_at", ranAt.toString());
        document.put("machine", machine);
        document.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), document);
    }
}
