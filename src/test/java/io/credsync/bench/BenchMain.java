package io.credsync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs every benchmark (or those named as arguments) one after the other on this machine,
 * prints a table and writes {@code target/bench/results.json}. Run it through
 * {@code ./scripts/bench}, which sets up the services first.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<Benchmark> all = List.of(new AlterRoleBenchmark(), new E2eLagBenchmark(), new BurstBenchmark(),
                new IdleSlotBenchmark());
        Set<String> wanted = Set.of(args);
        List<BenchResult> results = new ArrayList<>();
        for (Benchmark benchmark : all) {
            if (wanted.isEmpty() || wanted.contains(benchmark.name())) {
                System.out.println("running " + benchmark.name() + " ...");
                results.addAll(benchmark.run());
            }
        }
        write(results, Path.of("target", "bench", "results.json"));
        print(results);
        System.exit(0);
    }

    private static void write(List<BenchResult> results, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("ran_at", Instant.now().toString());
        document.put("machine", machine());
        document.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), document);
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.version"));
        machine.put("cpu", cpuModel());
        return machine;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static void print(List<BenchResult> results) {
        String format = "%-12s %-44s %-26s %12s %-4s %-8s %s%n";
        System.out.printf(Locale.ROOT, format, "benchmark", "scenario", "metric", "value", "unit", "target", "met");
        for (BenchResult r : results) {
            System.out.printf(Locale.ROOT, format, r.benchmark(), r.scenario(), r.metric(),
                    String.format(Locale.ROOT, "%.3f", r.value()), r.unit(), r.target() == null ? "" : r.target(),
                    r.met() == null ? "" : (r.met() ? "yes" : "NO"));
        }
    }
}
