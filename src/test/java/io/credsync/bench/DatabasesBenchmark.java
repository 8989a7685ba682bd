package io.credsync.bench;

import io.credsync.testing.ClusterOptions;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.MotoServer;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One consumer for a cluster of 1 and of 20 databases, credsync installed in each by
 * {@code credsync install}: the consumer's CPU while idle, its resident memory, and the
 * end-to-end lag of a change made from the last database (so, with 20, from one that is not the
 * home database). With 20, each figure may be at most 1.5 times its figure with 1.
 *
 * <p>The consumer runs with the default status interval (the tests' file shortens it) and drift
 * checks off (a drift check is per role, not per database, and falls in one window or the other by
 * chance). The idle window starts after a settle period: at least {@link #SETTLE_MIN}, then until
 * the JIT compiler threads have used no CPU for {@link #COMPILERS_QUIET} and the server has written
 * no WAL for {@link #QUIET} (databases just created give autovacuum work, and every slot's stream
 * wakes on any WAL in the cluster); the WAL written during the window is shown. The window lasts
 * {@link #IDLE}: the kernel counts a process's CPU ({@code /proc/<pid>/stat}) in 10 ms ticks, and
 * an idle consumer uses about 1 ms a second, so 30 s counted 3 ticks against 6; 150 s counts
 * about 12, a tick being some 8 % of a figure, and spans five of the regular idle periods of a
 * stream (30 s: the walsenders' keepalives under the default {@code wal_sender_timeout}), so whole
 * cycles dominate. The threads' own counters
 * ({@code /proc/<pid>/task/<tid>/schedstat}, nanoseconds) give a second figure, which leaves out
 * any thread that ended during the window.
 */
final class DatabasesBenchmark implements Benchmark {

    private static final String FIXTURE_PREFIX = "bench_dbs";
    private static final Duration IDLE = Duration.ofSeconds(150);
    private static final int CHANGES = 50;
    private static final double MAX_RATIO = 1.5;

    @Override
    public String name() {
        return "databases";
    }

    /** Threads shown per run, grouped by name (a thread per database shares its name with the others). */
    private static final int THREAD_GROUPS_SHOWN = 6;

    /** How long the WAL must stand still before the idle measurement starts; and the most to wait for it. */
    private static final Duration QUIET = Duration.ofSeconds(5);
    private static final Duration QUIET_MAX = Duration.ofSeconds(120);
    /** The least settle time after the changes, and how long the JIT compilers must have been idle. */
    private static final Duration SETTLE_MIN = Duration.ofSeconds(30);
    private static final Duration COMPILERS_QUIET = Duration.ofSeconds(15);
    private static final Duration SETTLE_MAX = Duration.ofSeconds(180);

    private record Figures(double idleCpuPercent, double threadCpuPercent, double rssMib, double lagP50Millis,
            double wakeupsPerSecond, List<ThreadActivity.Thread> busiest, long walDuringIdle, double loadAverage) {
    }

    @Override
    public List<BenchResult> run() throws Exception {
        Figures one = measure(1);
        Figures twenty = measure(20);
        List<BenchResult> results = new ArrayList<>();
        for (int n : List.of(1, 20)) {
            Figures f = n == 1 ? one : twenty;
            String scenario = "one consumer, " + n + " database" + (n == 1 ? "" : "s");
            results.add(BenchResult.figure(name(), scenario, "consumer CPU idle " + IDLE.toSeconds()
                    + " s (10 ms ticks)", f.idleCpuPercent(), "%"));
            results.add(BenchResult.figure(name(), scenario, "consumer CPU idle, threads' sum (ns)",
                    f.threadCpuPercent(), "%"));
            results.add(BenchResult.figure(name(), scenario, "consumer RSS idle", f.rssMib(), "MiB"));
            results.add(BenchResult.figure(name(), scenario, "e2e lag p50", f.lagP50Millis(), "ms"));
            results.add(BenchResult.figure(name(), scenario, "thread wake-ups idle", f.wakeupsPerSecond(), "/s"));
            results.add(BenchResult.figure(name(), scenario, "WAL written while idle", f.walDuringIdle() / 1024.0,
                    "KiB"));
            results.add(BenchResult.figure(name(), scenario, "load avg 1 min, after idle", f.loadAverage(), ""));
            for (ThreadActivity.Thread group : f.busiest()) {
                results.add(BenchResult.figure(name(), n + " db, threads " + group.name(), "CPU ms idle, wake-ups/s "
                        + String.format("%.2f", group.switches() / (double) IDLE.toSeconds()),
                        group.cpuNanos() / 1e6, "ms"));
            }
        }
        String ratio = "20 vs 1 database";
        results.add(BenchResult.atMost(name(), ratio, "idle CPU ratio",
                twenty.idleCpuPercent() / Math.max(one.idleCpuPercent(), 0.01), "x", MAX_RATIO));
        results.add(BenchResult.figure(name(), ratio, "idle CPU ratio, threads' sum",
                twenty.threadCpuPercent() / Math.max(one.threadCpuPercent(), 0.001), "x"));
        results.add(BenchResult.atMost(name(), ratio, "RSS ratio", twenty.rssMib() / one.rssMib(), "x", MAX_RATIO));
        results.add(BenchResult.atMost(name(), ratio, "e2e lag p50 ratio",
                twenty.lagP50Millis() / one.lagP50Millis(), "x", MAX_RATIO));
        results.add(LoadAverage.figure(name()));
        return results;
    }

    private Figures measure(int databases) throws Exception {
        System.out.println("databases: measuring one consumer for " + databases + " database(s)");
        try (PostgresCluster cluster = PostgresCluster.start(ClusterOptions.defaults()
                .withSetting("max_replication_slots", "40").withSetting("max_wal_senders", "40"))) {
            for (int i = 1; i < databases; i++) {
                cluster.createDatabase("db_" + i);
            }
            try (SyncFixture fixture = SyncFixture.create(cluster, FIXTURE_PREFIX).coveringTheWholeCluster()) {
                fixture.database().manage("dbs\\_%");
                SyncFixture.CliRun install = fixture.runCli("install");
                if (install.exitCode() != 0) {
                    throw new IllegalStateException("credsync install failed: " + install.output());
                }
                ConsumerProcess consumer = fixture.startConsumer(Map.of("CREDSYNC_DRIFT_ENABLED", "false",
                        "CREDSYNC_REPLICATION_STATUS_INTERVAL", "10s"));
                ConsumerEndpoints endpoints = new ConsumerEndpoints(consumer.metricsPort());
                endpoints.awaitReady(Duration.ofSeconds(60));
                long pid = ConsumerProcessInfo.pidOf(FIXTURE_PREFIX);
                String from = databases == 1 ? fixture.database().name() : "db_" + (databases - 1);
                String role = RoleStatements.uniqueName("dbs");
                SecretPoller poller = new SecretPoller(MotoServer.shared().client(), fixture.secretName(role));
                double[] lag = new double[CHANGES];
                try (Connection connection = cluster.connectAsSuperuser(from)) {
                    String first = Passwords.next();
                    RoleStatements.createRole(connection, role, first);
                    poller.awaitPassword(first, Duration.ofSeconds(60));
                    for (int i = 0; i < CHANGES; i++) {
                        String password = Passwords.next();
                        RoleStatements.alterPassword(connection, role, password);
                        long committed = System.nanoTime();
                        lag[i] = Millis.between(committed, poller.awaitPassword(password, Duration.ofSeconds(30)));
                    }
                }
                // Idle: nothing changes in the cluster. Databases just created and installed into
                // give autovacuum work on their catalogs, and any WAL written wakes every slot's
                // stream (each decodes the whole cluster's WAL); and the JIT compiles what the
                // changes made hot for a while after: the measurement starts once both are done, and
                // says how much WAL it saw.
                settle(cluster, pid);
                long walBefore = walPosition(cluster);
                CpuTime before = CpuTime.snapshot(cluster.dataDir(), pid);
                ThreadActivity threadsBefore = ThreadActivity.snapshot(pid);
                long start = System.nanoTime();
                Thread.sleep(IDLE.toMillis());
                double cpuSeconds = CpuTime.snapshot(cluster.dataDir(), pid).since(before).get("consumer");
                List<ThreadActivity.Thread> threads = ThreadActivity.snapshot(pid).since(threadsBefore);
                double seconds = (System.nanoTime() - start) / 1e9;
                long walDuringIdle = walPosition(cluster) - walBefore;
                double rss = ConsumerProcessInfo.residentMib(pid);
                long switches = threads.stream().mapToLong(ThreadActivity.Thread::switches).sum();
                long threadNanos = threads.stream().mapToLong(ThreadActivity.Thread::cpuNanos).sum();
                List<ThreadActivity.Thread> groups = ThreadActivity.summed(threads, UnaryOperator.identity());
                System.out.printf("databases: %d database(s): idle CPU %.3f %% (ticks), %.3f %% (threads)%n",
                        databases, 100 * cpuSeconds / seconds, 100 * threadNanos / 1e9 / seconds);
                groups.forEach(g -> System.out.printf("  %-16s %8.2f ms %7.2f wake-ups/s%n", g.name(),
                        g.cpuNanos() / 1e6, g.switches() / seconds));
                return new Figures(100 * cpuSeconds / seconds, 100 * threadNanos / 1e9 / seconds, rss,
                        Stats.median(lag), switches / seconds, groups.stream().limit(THREAD_GROUPS_SHOWN).toList(),
                        walDuringIdle, LoadAverage.oneMinute());
            }
        }
    }

    /**
     * Waits at least {@link #SETTLE_MIN}, then until the consumer's JIT compiler threads have used
     * no CPU for {@link #COMPILERS_QUIET} (until {@link #SETTLE_MAX} has passed at most), and
     * then the WAL stood still for {@link #QUIET} (for {@link #QUIET_MAX} more at most).
     */
    private static void settle(PostgresCluster cluster, long pid) throws Exception {
        long giveUp = System.nanoTime() + SETTLE_MAX.toNanos();
        Thread.sleep(SETTLE_MIN.toMillis());
        awaitUnchanged(() -> compilerNanos(pid), COMPILERS_QUIET, Duration.ofSeconds(1), giveUp);
        awaitUnchanged(() -> walPosition(cluster), QUIET, Duration.ofMillis(500),
                System.nanoTime() + QUIET_MAX.toNanos());
    }

    /** A counter to watch; reading it may fail. */
    private interface Counter {
        long read() throws Exception;
    }

    /**
     * Reads {@code counter} every {@code poll} until it has not changed for {@code quiet}, or
     * until {@code giveUpNanos} ({@link System#nanoTime()}), whichever comes first.
     */
    private static void awaitUnchanged(Counter counter, Duration quiet, Duration poll, long giveUpNanos)
            throws Exception {
        long value = counter.read();
        long unchangedSince = System.nanoTime();
        while (System.nanoTime() - unchangedSince < quiet.toNanos() && System.nanoTime() < giveUpNanos) {
            Thread.sleep(poll.toMillis());
            long now = counter.read();
            if (now != value) {
                value = now;
                unchangedSince = System.nanoTime();
            }
        }
    }

    /** CPU the consumer's JIT compiler threads used so far. */
    private static long compilerNanos(long pid) {
        return ThreadActivity.snapshot(pid).since(ThreadActivity.empty()).stream()
                .filter(t -> t.name().contains("CompilerThre"))
                .mapToLong(ThreadActivity.Thread::cpuNanos).sum();
    }

    private static long walPosition(PostgresCluster cluster) throws Exception {
        try (Connection connection = cluster.connectAsSuperuser("postgres");
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_insert_lsn(), '0/0')::bigint")) {
            row.next();
            return row.getLong(1);
        }
    }
}
