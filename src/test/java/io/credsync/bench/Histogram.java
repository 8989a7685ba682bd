package io.credsync.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus histogram: cumulative bucket counts by upper bound, count and sum. Differences of
 * two scrapes give the histogram of what happened in between.
 */
record Histogram(TreeMap<Double, Double> buckets, double count, double sum) {

    /** This histogram less an earlier scrape of the same one (a missing bucket counts as 0). */
    Histogram minus(Histogram earlier) {
        TreeMap<Double, Double> difference = new TreeMap<>();
        buckets.forEach((le, n) -> difference.put(le, n - earlier.buckets().getOrDefault(le, 0.0)));
        return new Histogram(difference, count - earlier.count(), sum - earlier.sum());
    }

    double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * The {@code q}-quantile (0 to 1) estimated the way PromQL's {@code histogram_quantile} does:
     * linear interpolation inside the bucket holding the rank; the last finite bound if the
     * rank falls into {@code +Inf}.
     */
    double quantile(double q) {
        if (count <= 0) {
            throw new IllegalStateException("the histogram is empty");
        }
        double rank = q * count;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            double upperBound = bucket.getKey();
            double upperCount = bucket.getValue();
            if (upperCount >= rank) {
                if (Double.isInfinite(upperBound)) {
                    return lowerBound;
                }
                if (upperCount == lowerCount) {
                    return upperBound;
                }
                return lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / (upperCount - lowerCount);
            }
            lowerBound = upperBound;
            lowerCount = upperCount;
        }
        return lowerBound;
    }
}
