package io.credsync.bench;

import io.credsync.testing.TestEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a benchmark ran on, as the documentation shows it beside the figures: cores, CPU, memory,
 * operating system, PostgreSQL and Java. Each fact is read on demand and is "unknown" when it
 * cannot be read (another OS, no permission); none is ever null.
 */
final class Machine {

    private Machine() {
    }

    /** This machine's facts, in the order {@link #describe} prints them. */
    static Map<String, Object> current() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name", ':').orElse("unknown"));
        machine.put("memory_gib", firstValue(Path.of("/proc/meminfo"), "MemTotal", ':')
                .map(kib -> Math.round(Long.parseLong(kib.replace("kB", "").trim()) / 1024.0 / 1024.0))
                .map(Object.class::cast).orElse("unknown"));
        machine.put("os", firstValue(Path.of("/etc/os-release"), "PRETTY_NAME", '=')
                .map(name -> name.replace("\"", "")).orElse(System.getProperty("os.name")));
        machine.put("kernel", System.getProperty("os.version"));
        machine.put("postgresql", postgresVersion());
        machine.put("java", System.getProperty("java.version"));
        return machine;
    }

    /**
     * One line for a person: {@code description} if the facts have one (figures carried over from
     * before the facts were recorded), else the facts themselves.
     */
    static String describe(Map<String, ?> machine) {
        Object description = machine.get("description");
        if (description != null) {
            return description.toString();
        }
        return String.format(Locale.ROOT, "%s cores (%s), %s GiB, %s (Linux %s), PostgreSQL %s, Java %s",
                machine.get("cores"), machine.get("cpu"), machine.get("memory_gib"), machine.get("os"),
                machine.get("kernel"), machine.get("postgresql"), machine.get("java"));
    }

    /** The value after {@code separator} on the first line of {@code file} that starts with {@code key}. */
    private static Optional<String> firstValue(Path file, String key, char separator) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.startsWith(key) && line.indexOf(separator) > 0)
                    .map(line -> line.substring(line.indexOf(separator) + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty(); // not Linux, or not readable: the fact is unknown
        }
    }

    /** The version the PostgreSQL server binary reports, e.g. 15.10. */
    private static String postgresVersion() {
        try {
            Process process = new ProcessBuilder(List.of(TestEnvironment.pgBinary("postgres").toString(), "--version"))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return "unknown";
            }
            // "postgres (PostgreSQL) 15.10 (Debian 15.10-1.pgdg120+1)": the third word.
            String[] words = output.split("\\s+");
            return words.length >= 3 ? words[2] : output;
        } catch (IOException | IllegalStateException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
