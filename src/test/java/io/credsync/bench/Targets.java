package io.credsync.bench;

/**
 * Figures with a strict upper target ({@code < limit}), as the issues state them; BenchResult's
 * own {@code atMost} is for the inclusive ratios of the alter-role benchmark.
 */
final class Targets {

    private Targets() {
    }

    static BenchResult below(String benchmark, String scenario, String metric, double value, String unit,
            double limit) {
        return new BenchResult(benchmark, scenario, metric, value, unit, "< " + format(limit), value < limit);
    }

    /** A count that must be zero, e.g. changes lost. */
    static BenchResult zero(String benchmark, String scenario, String metric, double value, String unit) {
        return new BenchResult(benchmark, scenario, metric, value, unit, "= 0", value == 0);
    }

    private static String format(double limit) {
        return limit == Math.rint(limit) ? Long.toString((long) limit) : Double.toString(limit);
    }
}
