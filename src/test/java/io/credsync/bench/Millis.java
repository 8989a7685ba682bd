package io.credsync.bench;

/** Conversions of {@link System#nanoTime()} differences, the only clock the benchmarks time with. */
final class Millis {

    private Millis() {
    }

    static double between(long startNanos, long endNanos) {
        return (endNanos - startNanos) / 1_000_000.0;
    }

    static double since(long startNanos) {
        return between(startNanos, System.nanoTime());
    }
}
