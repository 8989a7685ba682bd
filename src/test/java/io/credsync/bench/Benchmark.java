package io.credsync.bench;

import java.util.List;

/** A benchmark that {@link BenchMain} runs; each runs alone, one after the other. */
interface Benchmark {

    /** A short name, used to pick benchmarks from the command line. */
    String name();

    /** Runs the benchmark and returns its figures. */
    List<BenchResult> run() throws Exception;
}
