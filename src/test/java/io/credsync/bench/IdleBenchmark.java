package io.credsync.bench;

import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an idle consumer costs: the consumer started with the default settings except drift
 * checks (switched off, since a check costs what it must when it is due), one change delivered,
 * a minute's warm-up, then {@link #window} with nothing to do. Reports the consumer's CPU time
 * per idle minute and as a share of one core (target at most 0.2 %), its context switches per
 * second (how often its threads wake up), its resident memory, and the threads that used the
 * most CPU or woke the most, so that a regression names its culprit.
 */
final class IdleBenchmark implements Benchmark {

    private static final String FIXTURE_PREFIX = "bench_idle_cpu";
    /** The window; {@code --idle-seconds=N} takes a shorter one for a quick look. */
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    private static final Duration WARM_UP = Duration.ofMinutes(1);
    private static final double TARGET_PERCENT_OF_CORE = 0.2;
    private static final int THREADS_SHOWN = 5;

    private final Duration window;

    IdleBenchmark(Duration window) {
        this.window = window;
    }

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public List<BenchResult> run() throws Exception {
        try (SyncFixture fixture = SyncFixture.create(FIXTURE_PREFIX);
                Connection connection = fixture.database().connectAsSuperuser()) {
            fixture.database().manage("idle\\_%");
            String role = RoleStatements.uniqueName("idle");
            RoleStatements.createRoleWithoutPassword(connection, role);
            // The fixture's file shortens the status interval for the tests: put the default back.
            ConsumerProcess consumer = fixture.startConsumer(Map.of("CREDSYNC_DRIFT_ENABLED", "false",
                    "CREDSYNC_REPLICATION_STATUS_INTERVAL", "10s"));
            new ConsumerEndpoints(consumer.metricsPort()).awaitReady(Duration.ofSeconds(30));
            // One change delivered, so that every path of a delivery has run once before the window.
            String password = Passwords.next();
            RoleStatements.alterPassword(connection, role, password);
            fixture.awaitSecret(role, secret -> password.equals(secret.path("password").asText()),
                    Duration.ofSeconds(30));
            Thread.sleep(WARM_UP.toMillis());
            return measure(fixture, ConsumerProcessInfo.pidOf(FIXTURE_PREFIX));
        }
    }

    private List<BenchResult> measure(SyncFixture fixture, long pid) throws Exception {
        Path dataDir = fixture.database().postgres().dataDir();
        CpuTime cpuBefore = CpuTime.snapshot(dataDir, pid);
        ThreadActivity threadsBefore = ThreadActivity.snapshot(pid);
        long start = System.nanoTime();
        Thread.sleep(window.toMillis());
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = CpuTime.snapshot(dataDir, pid).since(cpuBefore).get("consumer");
        List<ThreadActivity.Thread> threads = ThreadActivity.snapshot(pid).since(threadsBefore);
        double rssMib = ConsumerProcessInfo.residentMib(pid);

        String scenario = "consumer idle " + Math.round(seconds) + " s, defaults, drift off";
        double percentOfCore = 100 * cpuSeconds / seconds;
        long switches = threads.stream().mapToLong(ThreadActivity.Thread::switches).sum();
        List<BenchResult> results = new ArrayList<>();
        results.add(BenchResult.figure(name(), scenario, "CPU per idle minute", cpuSeconds / seconds * 60, "s"));
        results.add(new BenchResult(name(), scenario, "CPU share of one core", percentOfCore, "%",
                "<= " + TARGET_PERCENT_OF_CORE, percentOfCore <= TARGET_PERCENT_OF_CORE));
        results.add(BenchResult.figure(name(), scenario, "thread wake-ups (context switches)", switches / seconds,
                "/s"));
        results.add(BenchResult.figure(name(), scenario, "RSS at end", rssMib, "MiB"));
        for (ThreadActivity.Thread thread : threads.subList(0, Math.min(THREADS_SHOWN, threads.size()))) {
            results.add(BenchResult.figure(name(), "busiest threads: " + thread.name(), "CPU ms, wake-ups/s "
                    + String.format("%.1f", thread.switches() / seconds), thread.cpuNanos() / 1e6, "ms"));
        }
        results.add(LoadAverage.figure(name()));
        return results;
    }
}
