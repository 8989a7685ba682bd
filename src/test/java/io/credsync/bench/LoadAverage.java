package io.credsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's one-minute load average, reported beside the timings: the benchmarks share two
 * cores with PostgreSQL, the emulators and the consumer, and with whatever else runs, and a
 * figure taken under a load of 7 does not mean what one taken under a load of 1 does.
 */
final class LoadAverage {

    private LoadAverage() {
    }

    static BenchResult figure(String benchmark) {
        return BenchResult.figure(benchmark, "this machine, " + Runtime.getRuntime().availableProcessors()
                + " cores", "load avg 1 min, at end", oneMinute(), "");
    }

    /** The one-minute load average now; -1 where there is none. */
    static double oneMinute() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux: no figure to give
        }
    }
}
