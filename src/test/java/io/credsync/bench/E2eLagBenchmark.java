package io.credsync.bench;

import static org.awaitility.Awaitility.await;

import io.credsync.config.VerifyMode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * End-to-end lag of one password change with the consumer running: 200 sequential (150 ms apart)
 * {@code ALTER ROLE}s of one managed role, each waited for before the next.
 *
 * <p>Two views of the same changes. Client-side: from just after the autocommitted statement
 * returns (so just after its commit) until a tight poll of moto's {@code GetSecretValue} shows
 * the new password. Consumer-side: the difference of the {@code credsync_event_lag_seconds}
 * histogram before and after, which runs from capture (the outbox row's {@code created_at},
 * inside the transaction) to the secret written, and so excludes polling but includes commit.
 */
final class E2eLagBenchmark implements Benchmark {

    private static final String FIXTURE_PREFIX = "bench_lag";
    private static final String LAG_HISTOGRAM = "credsync_event_lag_seconds";
    private static final String CONSUMER = "consumer";
    /**
     * Changes before the measured ones: enough that the consumer's JIT has compiled the per-event
     * code (C1 compiles a method after about 200 calls), so that the measured CPU is what each
     * further change costs. What the warm-up itself cost is a row of its own.
     */
    private static final int WARM_UP = 200;
    private static final int CHANGES = 200;
    private static final Duration PAUSE = Duration.ofMillis(150);
    private static final Duration PER_CHANGE_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "e2e-lag";
    }

    /**
     * Measures with the login check before publishing (the default) and without it, one after
     * the other on the same machine, so that its cost reads as a ratio.
     */
    @Override
    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>();
        Map<String, Double> medians = new LinkedHashMap<>();
        for (VerifyMode mode : List.of(VerifyMode.REQUIRED, VerifyMode.OFF)) {
            List<BenchResult> measured = measure(mode);
            results.addAll(measured);
            measured.stream().filter(r -> r.metric().equals("lag p50")).findFirst()
                    .ifPresent(r -> medians.put(mode.value(), r.value()));
        }
        if (medians.size() == 2) {
            results.add(BenchResult.figure(name(), "verify required vs off, lag p50", "ratio required/off",
                    medians.get("required") / medians.get("off"), "x"));
        }
        return results;
    }

    private List<BenchResult> measure(VerifyMode mode) throws Exception {
        try (SyncFixture fixture = SyncFixture.create(FIXTURE_PREFIX)) {
            fixture.database().manage("lag\\_%");
            ConsumerProcess consumer = fixture.startConsumer(Map.of("CREDSYNC_DELIVERY_VERIFY", mode.value()));
            ConsumerEndpoints endpoints = new ConsumerEndpoints(consumer.metricsPort());
            endpoints.awaitReady(Duration.ofSeconds(30));
            String role = RoleStatements.uniqueName("lag");
            SecretPoller poller = new SecretPoller(MotoServer.shared().client(), fixture.secretName(role));
            try (Connection connection = fixture.database().connectAsSuperuser()) {
                // The first change creates the secret (CreateSecret, not PutSecretValue); the warm-up
                // ones let both JVMs compile the hot paths. Neither is measured.
                long pid = ConsumerProcessInfo.pidOf(FIXTURE_PREFIX);
                Path dataDir = fixture.database().postgres().dataDir();
                CpuTime cpuAtStart = CpuTime.snapshot(dataDir, pid);
                double startUpSeconds = cpuAtStart.total(CONSUMER);
                String first = Passwords.next();
                RoleStatements.createRole(connection, role, first);
                poller.awaitPassword(first, Duration.ofSeconds(30));
                for (int i = 0; i < WARM_UP; i++) {
                    change(connection, role, poller);
                }
                Histogram before = endpoints.metrics().histogram(LAG_HISTOGRAM);
                int pollsBefore = poller.roundTripMillis().length;
                // Started before the CPU is counted: starting a recording costs the consumer CPU too.
                WindowRecording recording = WindowRecording.start(pid, "e2e-lag-verify-" + mode.value());
                CpuTime cpuBefore = CpuTime.snapshot(dataDir, pid);
                ThreadActivity threadsBefore = ThreadActivity.snapshot(pid);
                Instant windowStart = Instant.now();
                double warmUpMillisPerEvent = cpuBefore.since(cpuAtStart).get(CONSUMER) * 1000 / (WARM_UP + 1);
                List<Double> lagMillis = new ArrayList<>();
                for (int i = 0; i < CHANGES; i++) {
                    // Apart enough that each change is a lone one under the default write ceiling
                    // (10 a second): the lag of a change, not the ceiling's spacing, is measured.
                    Thread.sleep(PAUSE.toMillis());
                    change(connection, role, poller).ifPresent(lagMillis::add);
                }
                if (lagMillis.isEmpty()) {
                    throw new IllegalStateException("the consumer delivered none of " + CHANGES + " changes");
                }
                Histogram consumerSide = awaitRecorded(endpoints, before, lagMillis.size());
                double consumerCpuSeconds = CpuTime.snapshot(dataDir, pid).since(cpuBefore).get(CONSUMER);
                printThreads(mode, windowStart, ThreadActivity.snapshot(pid).since(threadsBefore), lagMillis.size());
                recording.stop();
                double[] polls = poller.roundTripMillis();
                double[] measuredPolls = Arrays.copyOfRange(polls, pollsBefore, polls.length);
                return results(mode, lagMillis.stream().mapToDouble(Double::doubleValue).toArray(), consumerSide,
                        measuredPolls, new ConsumerCpu(startUpSeconds, warmUpMillisPerEvent,
                                consumerCpuSeconds * 1000 / lagMillis.size()));
            }
        }
    }

    /**
     * One change, waited for; returns its client-side lag in milliseconds, or nothing if the
     * consumer recorded it as anything but synced (the secret will never hold it). Such a change
     * is a defect, counted and shown, but the other changes are still measured.
     */
    private static OptionalDouble change(Connection connection, String role, SecretPoller poller)
            throws Exception {
        String password = Passwords.next();
        RoleStatements.alterPassword(connection, role, password);
        long committed = System.nanoTime();
        OutboxQueries outbox = new OutboxQueries(connection);
        OptionalLong seen;
        try {
            seen = poller.awaitPassword(password, PER_CHANGE_TIMEOUT, () -> outbox.newestNotSynced(role));
        } catch (IllegalStateException e) {
            // Say what the consumer made of the change: still pending, or failed and why.
            throw new IllegalStateException(e.getMessage() + "; " + outbox.newestOutcome(role), e);
        }
        if (seen.isEmpty()) {
            System.out.println("  e2e-lag: a change was not delivered: " + outbox.newestOutcome(role));
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Millis.between(committed, seen.getAsLong()));
    }

    /**
     * Where the measured CPU went, by thread (threads of a pool summed under their name without
     * its number), per delivered event: what to look at first when CPU per event is too high.
     * The window's start is printed too, to match a flight recording
     * ({@code CREDSYNC_CONSUMER_JVM_OPTIONS=-XX:StartFlightRecording=...}) to it.
     */
    private static void printThreads(VerifyMode mode, Instant windowStart, List<ThreadActivity.Thread> threads,
            int events) {
        StringBuilder line = new StringBuilder("  e2e-lag, verify " + mode.value() + ": window from " + windowStart
                + "; consumer CPU per event by thread (and context switches per event):");
        ThreadActivity.summed(threads, name -> name.replaceAll("[-#]?\\d+$", "")).stream()
                .filter(t -> t.cpuNanos() > 0)
                .forEach(t -> line.append(String.format(Locale.ROOT, " %s %.2f ms (%.1f);", t.name(),
                        t.cpuNanos() / 1e6 / events, t.switches() / (double) events)));
        System.out.println(line);
    }

    /**
     * The lag histogram's growth since {@code before}, once it counts {@code events} more: the
     * consumer records the lag just after the write, which the poll may see first.
     */
    private static Histogram awaitRecorded(ConsumerEndpoints endpoints, Histogram before, int events)
            throws Exception {
        return await(LAG_HISTOGRAM + " counting " + events + " more events").atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> endpoints.metrics().histogram(LAG_HISTOGRAM).minus(before), g -> g.count() >= events);
    }

    /**
     * The consumer's CPU time (all its threads, from /proc): until it was ready, per change during
     * the warm-up (the first change, which creates the secret, included), and per change measured.
     */
    private record ConsumerCpu(double startUpSeconds, double warmUpMillisPerEvent, double millisPerEvent) {
    }

    private List<BenchResult> results(VerifyMode mode, double[] lagMillis, Histogram consumerSide,
            double[] pollMillis, ConsumerCpu cpu) {
        // Short enough for the printed table's scenario column (44 characters).
        String client = CHANGES + " changes, verify " + mode.value() + ": commit -> visible";
        String server = CHANGES + " changes, verify " + mode.value() + ": consumer histogram";
        List<BenchResult> results = new ArrayList<>();
        results.add(Targets.zero(name(), client, "changes not delivered", CHANGES - lagMillis.length, "n"));
        results.add(Targets.below(name(), client, "lag p50", Stats.median(lagMillis), "ms", 100));
        results.add(Targets.below(name(), client, "lag p99", Stats.percentile(lagMillis, 99), "ms", 500));
        results.add(BenchResult.figure(name(), client, "lag max", Stats.percentile(lagMillis, 100), "ms"));
        results.add(BenchResult.figure(name(), client, "poll round trip p50", Stats.median(pollMillis),
                "ms"));
        results.add(BenchResult.figure(name(), server, "capture -> written p50", consumerSide.quantile(0.5) * 1000,
                "ms"));
        results.add(BenchResult.figure(name(), server, "capture -> written p99", consumerSide.quantile(0.99) * 1000,
                "ms"));
        results.add(BenchResult.figure(name(), server, "capture -> written mean", consumerSide.mean() * 1000, "ms"));
        // Consumer CPU (all its threads, /proc) over the measured changes, per delivered event.
        String scenario = CHANGES + " changes, verify " + mode.value() + ": consumer CPU";
        results.add(mode == VerifyMode.REQUIRED
                ? BenchResult.atMost(name(), scenario, "CPU per delivered event", cpu.millisPerEvent(), "ms", 5)
                : BenchResult.figure(name(), scenario, "CPU per delivered event", cpu.millisPerEvent(), "ms"));
        String start = "consumer start, verify " + mode.value();
        results.add(BenchResult.figure(name(), start, "CPU until ready", cpu.startUpSeconds() * 1000, "ms"));
        results.add(BenchResult.figure(name(), start, "CPU per event, first " + (WARM_UP + 1), cpu.warmUpMillisPerEvent(),
                "ms"));
        results.add(LoadAverage.figure(name()));
        return results;
    }
}
