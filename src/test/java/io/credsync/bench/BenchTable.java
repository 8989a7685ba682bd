package io.credsync.bench;

import java.util.List;
import java.util.Locale;

/** The fixed-width table of figures that {@link BenchMain} prints and the documentation shows. */
final class BenchTable {

    private static final String FORMAT = "%-12s %-44s %-26s %12s %-4s %-8s %s";

    private BenchTable() {
    }

    /** A header line and one line per figure, each ending in a newline. */
    static String render(List<BenchResult> results) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, FORMAT, "benchmark", "scenario", "metric", "value", "unit", "target",
                "met")).append('\n');
        for (BenchResult r : results) {
            table.append(String.format(Locale.ROOT, FORMAT, r.benchmark(), r.scenario(), r.metric(),
                    String.format(Locale.ROOT, "%.3f", r.value()), r.unit(), r.target() == null ? "" : r.target(),
                    r.met() == null ? "" : (r.met() ? "yes" : "NO"))).append('\n');
        }
        return table.toString();
    }
}
