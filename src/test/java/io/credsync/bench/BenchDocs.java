package io.credsync.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures the documentation shows. {@code docs/benchmarks.json} keeps, for each benchmark,
 * its figures from the latest run that included it, with when and on what machine that run was;
 * after each run the block between {@value #BEGIN} and {@value #END} in each document
 * ({@code docs/benchmarks.md}, {@code README.md}) is written anew from it: which run and machine
 * each benchmark's figures come from, then the table. A run of some benchmarks replaces only
 * theirs, so the table always has every benchmark, and says how old each part is.
 *
 * <p>Not thread-safe; {@link BenchMain} uses it once, after every benchmark has run.
 */
final class BenchDocs {

    static final String BEGIN = "<!-- bench:begin -->";
    static final String END = "<!-- bench:end -->";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One benchmark's figures and the run they came from, as the store keeps them. */
    record Entry(String ranAt, Map<String, Object> machine, List<BenchResult> results) {
    }

    private final Path store;
    private final List<Path> documents;
    private final List<String> order;

    /**
     * @param store the JSON file of latest figures; created if missing
     * @param documents files whose marked block is rewritten; each must have both markers
     * @param order benchmark names in the order the table lists them; others follow by name
     */
    BenchDocs(Path store, List<Path> documents, List<String> order) {
        this.store = store;
        this.documents = List.copyOf(documents);
        this.order = List.copyOf(order);
    }

    /**
     * Replaces the stored figures of every benchmark in {@code results} with these, and rewrites
     * the documents' blocks.
     *
     * @throws IllegalStateException if a document lacks the markers (nothing is written then)
     */
    void update(List<BenchResult> results, Instant ranAt, Map<String, Object> machine) throws IOException {
        Map<String, Entry> entries = read();
        Map<String, List<BenchResult>> byBenchmark = new LinkedHashMap<>();
        for (BenchResult result : results) {
            byBenchmark.computeIfAbsent(result.benchmark(), b -> new ArrayList<>()).add(result);
        }
        byBenchmark.forEach((benchmark, figures) ->
                entries.put(benchmark, new Entry(WHEN.format(ranAt), machine, figures)));
        String block = block(sorted(entries));
        Map<Path, String> rewritten = new LinkedHashMap<>();
        for (Path document : documents) {
            rewritten.put(document, replaceBlock(Files.readString(document, StandardCharsets.UTF_8), block, document));
        }
        JSON.writeValue(store.toFile(), Map.of("benchmarks", sorted(entries)));
        for (Map.Entry<Path, String> document : rewritten.entrySet()) {
            Files.writeString(document.getKey(), document.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** The text between the markers: where each benchmark's figures come from, then the table. */
    static String block(Map<String, Entry> entries) {
        // Benchmarks from one run on one machine share a line.
        Map<String, List<String>> runs = new LinkedHashMap<>();
        entries.forEach((benchmark, entry) -> runs.computeIfAbsent(entry.ranAt() + ", on "
                + Machine.describe(entry.machine()), k -> new ArrayList<>()).add("`" + benchmark + "`"));
        StringBuilder text = new StringBuilder("\n");
        runs.forEach((run, benchmarks) -> text.append("- ").append(String.join(", ", benchmarks)).append(": ")
                .append(run).append('\n'));
        List<BenchResult> all = new ArrayList<>();
        entries.values().forEach(entry -> all.addAll(entry.results()));
        text.append("\n```\n").append(BenchTable.render(all)).append("```\n");
        return text.toString();
    }

    /** {@code document} with the text between its markers replaced by {@code block}. */
    static String replaceBlock(String document, String block, Path name) {
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(name + " has no " + BEGIN + " ... " + END + " block for the benchmark table");
        }
        return document.substring(0, begin + BEGIN.length()) + "\n" + block + document.substring(end);
    }

    private Map<String, Entry> read() throws IOException {
        if (!Files.exists(store)) {
            return new LinkedHashMap<>();
        }
        Map<String, Map<String, Entry>> document = JSON.readValue(store.toFile(), new TypeReference<>() { });
        return new LinkedHashMap<>(document.getOrDefault("benchmarks", Map.of()));
    }

    /** Entries in {@link #order}, then any others by name. */
    private Map<String, Entry> sorted(Map<String, Entry> entries) {
        Map<String, Entry> sorted = new LinkedHashMap<>();
        for (String benchmark : order) {
            if (entries.containsKey(benchmark)) {
                sorted.put(benchmark, entries.get(benchmark));
            }
        }
        entries.keySet().stream().sorted().forEach(benchmark -> sorted.putIfAbsent(benchmark, entries.get(benchmark)));
        return sorted;
    }
}
