package io.credsync.bench;

/**
 * One figure of a benchmark run: what was measured, under which scenario, and how it compares.
 *
 * @param benchmark the benchmark's name, e.g. {@code alter-role}
 * @param scenario what was run, e.g. {@code RSA 2048, hook vs no hook}
 * @param metric the figure's name, e.g. {@code median with hook}
 * @param value the figure
 * @param unit its unit, e.g. {@code ms}
 * @param target the target as text, e.g. {@code <= 1.5}; null where there is none
 * @param met whether the target was met; null where there is no target
 */
public record BenchResult(String benchmark, String scenario, String metric, double value, String unit, String target,
        Boolean met) {

    static BenchResult figure(String benchmark, String scenario, String metric, double value, String unit) {
        return new BenchResult(benchmark, scenario, metric, value, unit, null, null);
    }

    static BenchResult atMost(String benchmark, String scenario, String metric, double value, String unit,
            double limit) {
        return new BenchResult(benchmark, scenario, metric, value, unit, "<= " + limit, value <= limit);
    }
}
