package io.credsync.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of named readiness checks, such as {@code streaming} or {@code aws}. Ready when
 * every check passed (and so when there are none).
 *
 * <p>Immutable and thread-safe; keeps the checks in the order given. Nothing is null.
 *
 * @param checks each check's name and whether it passed
 */
public record ReadinessReport(Map<String, Boolean> checks) {

    public ReadinessReport {
        Map<String, Boolean> copy = new LinkedHashMap<>();
        checks.forEach((name, passed) -> copy.put(Objects.requireNonNull(name, "check name"),
                Objects.requireNonNull(passed, "check result")));
        checks = Collections.unmodifiableMap(copy);
    }

    /** A report with no checks, which is ready. */
    public static ReadinessReport empty() {
        return new ReadinessReport(Map.of());
    }

    /** This report with check {@code name} set to {@code passed}. */
    public ReadinessReport with(String name, boolean passed) {
        Map<String, Boolean> more = new LinkedHashMap<>(checks);
        more.put(name, passed);
        return new ReadinessReport(more);
    }

    /** Whether every check passed. */
    public boolean ready() {
        return !checks.containsValue(false);
    }

    /** The names of the checks that failed, in order. */
    public List<String> failing() {
        return checks.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    }
}
