package io.credsync.bench;

import java.util.Arrays;

/** Order statistics of a sample of durations. */
final class Stats {

    private Stats() {
    }

    /** The {@code p}-th percentile (0 to 100) by the nearest-rank method. */
    static double percentile(double[] sample, double p) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("empty sample");
        }
        double[] sorted = sample.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] sample) {
        return percentile(sample, 50);
    }
}
