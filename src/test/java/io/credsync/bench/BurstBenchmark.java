package io.credsync.bench;

import io.credsync.config.SecretsConfig;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.FaultProxy;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A burst of 1,000 password changes over 100 managed roles (10 rounds, each changing every role
 * once), committed as fast as one connection can while the consumer runs with the default write
 * ceiling ({@code secrets.max_writes_per_second}). The targets are what credsync controls: the
 * secret writes Secrets Manager receives never exceed the ceiling in any second (counted as they
 * pass a proxy in front of moto, as AWS would count them), their total is at most the ceiling
 * times the burst's seconds plus one per role, the tail after the last commit is at most the
 * roles divided by the ceiling plus a second, and there are at most 5 % more KMS decrypts than
 * writes. The drain (first commit until every outbox row has a delivery row, which is written
 * only after its secret; the final passwords are checked after, and a secret without one is
 * counted as a defect) is shown but has no target: most of it is PostgreSQL committing 1,000
 * SCRAM {@code ALTER ROLE}s. Also how many events coalescing superseded, the consumer's memory,
 * and the CPU time that PostgreSQL, the consumer, the emulators and this JVM used meanwhile (they
 * share the machine's cores). The consumer's start-up time is measured on the way: once when it
 * creates the slot, and over a few restarts after the burst.
 */
final class BurstBenchmark implements Benchmark {

    private static final String FIXTURE_PREFIX = "bench_burst";
    private static final String WRITES_METRIC = "credsync_secretsmanager_call_seconds_count";
    private static final String WRITE_SECONDS_METRIC = "credsync_secretsmanager_call_seconds_sum";
    private static final String KMS_CALLS_METRIC = "credsync_kms_call_seconds_count";
    private static final String KMS_SECONDS_METRIC = "credsync_kms_call_seconds_sum";
    private static final List<String> WRITE_OPERATIONS = List.of("secretsmanager.PutSecretValue",
            "secretsmanager.UpdateSecret", "secretsmanager.CreateSecret");
    private static final int ROLES = 100;
    private static final int ROUNDS = 10;
    private static final int RESTARTS = 5;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(180);

    @Override
    public String name() {
        return "burst";
    }

    @Override
    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>();
        try (SyncFixture fixture = SyncFixture.create(FIXTURE_PREFIX);
                Connection connection = fixture.database().connectAsSuperuser();
                FaultProxy secretsManager = FaultProxy.start(MotoServer.shared().endpoint())) {
            Map<String, String> settings = Map.of("CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT",
                    secretsManager.endpoint().toString());
            fixture.database().manage("burst\\_%");
            List<String> roles = new ArrayList<>();
            for (int i = 0; i < ROLES; i++) {
                String role = RoleStatements.uniqueName("burst");
                RoleStatements.createRoleWithoutPassword(connection, role); // no password: no event
                roles.add(role);
            }
            StartupProbe.Started first = StartupProbe.start(fixture, settings);
            results.add(Targets.below(name(), "first start: creates slot and publication", "start-up to ready",
                    first.millisToReady() / 1000, "s", 3));

            // Every secret exists before the burst, so that the burst measures PutSecretValue, not
            // CreateSecret.
            OutboxQueries outbox = new OutboxQueries(connection);
            for (String role : roles) {
                RoleStatements.alterPassword(connection, role, Passwords.next());
            }
            outbox.awaitNothingPending(DRAIN_TIMEOUT);

            ConsumerEndpoints endpoints = new ConsumerEndpoints(first.consumer().metricsPort());
            double writesBefore = endpoints.metrics().sum(WRITES_METRIC);
            double writeSecondsBefore = endpoints.metrics().sum(WRITE_SECONDS_METRIC);
            double kmsCallsBefore = endpoints.metrics().sum(KMS_CALLS_METRIC);
            double kmsSecondsBefore = endpoints.metrics().sum(KMS_SECONDS_METRIC);
            long lastIdBefore = outbox.lastOutboxId();
            long pid = ConsumerProcessInfo.pidOf(FIXTURE_PREFIX);
            int writesBeforeAtAws = writesAtAws(secretsManager).size();
            Map<String, String> finalPasswords = new LinkedHashMap<>();
            long firstCommit;
            long lastCommit;
            long drained;
            double peakRssMib;
            Path dataDir = fixture.database().postgres().dataDir();
            CpuTime cpuBefore = CpuTime.snapshot(dataDir, pid);
            try (RssSampler rss = RssSampler.start(pid)) {
                firstCommit = commitBurst(connection, roles, finalPasswords);
                lastCommit = System.nanoTime();
                drained = outbox.awaitNothingPending(DRAIN_TIMEOUT);
                peakRssMib = rss.maxMib();
            }
            Map<String, Double> cpuSeconds = CpuTime.snapshot(dataDir, pid).since(cpuBefore);
            List<Long> burstWrites = writesAtAws(secretsManager);
            burstWrites = burstWrites.subList(writesBeforeAtAws, burstWrites.size());
            double peakSinceStartMib = ConsumerProcessInfo.peakResidentMib(pid);
            long stale = staleSecrets(fixture, finalPasswords);
            double writes = endpoints.metrics().sum(WRITES_METRIC) - writesBefore;
            double writeSeconds = endpoints.metrics().sum(WRITE_SECONDS_METRIC) - writeSecondsBefore;
            double kmsCalls = endpoints.metrics().sum(KMS_CALLS_METRIC) - kmsCallsBefore;
            double kmsSeconds = endpoints.metrics().sum(KMS_SECONDS_METRIC) - kmsSecondsBefore;
            Map<String, Long> statuses = outbox.statusesAfter(lastIdBefore);
            long rows = statuses.values().stream().mapToLong(Long::longValue).sum();
            if (rows != (long) ROLES * ROUNDS) {
                throw new IllegalStateException("expected " + ROLES * ROUNDS + " delivery rows, found " + statuses);
            }

            String scenario = ROLES * ROUNDS + " changes over " + ROLES + " roles, one connection";
            results.add(BenchResult.figure(name(), scenario, "time to commit all", Millis.between(firstCommit,
                    lastCommit) / 1000, "s"));
            double burstSeconds = Millis.between(firstCommit, lastCommit) / 1000;
            int ceiling = SecretsConfig.DEFAULT_MAX_WRITES_PER_SECOND;
            results.add(BenchResult.figure(name(), scenario, "drain: 1st commit -> all", Millis.between(firstCommit,
                    drained) / 1000, "s"));
            results.add(BenchResult.atMost(name(), scenario, "tail: last commit -> all", Millis.between(lastCommit,
                    drained) / 1000, "s", (double) ROLES / ceiling + 1));
            results.add(BenchResult.atMost(name(), scenario, "most writes at AWS in any 1 s",
                    maxInAnySecond(burstWrites), "n", ceiling));
            results.add(BenchResult.atMost(name(), scenario, "writes at AWS (Put, Update, Create)",
                    burstWrites.size(), "n", Math.floor(ceiling * burstSeconds) + ROLES));
            results.add(BenchResult.figure(name(), scenario, "secret writes (consumer's count)", writes, "n"));
            results.add(BenchResult.atMost(name(), scenario, "KMS decrypts", kmsCalls, "n",
                    Math.floor(writes * 1.05)));
            // Where a write's time goes: the consumer's own timers, per call.
            results.add(BenchResult.figure(name(), scenario, "secret write mean (describe, get, put)",
                    writes == 0 ? 0 : writeSeconds * 1000 / writes, "ms"));
            results.add(BenchResult.figure(name(), scenario, "KMS decrypt mean",
                    kmsCalls == 0 ? 0 : kmsSeconds * 1000 / kmsCalls, "ms"));
            results.add(BenchResult.figure(name(), scenario, "delivery rows synced",
                    statuses.getOrDefault("synced", 0L), "n"));
            results.add(BenchResult.figure(name(), scenario, "delivery rows superseded",
                    statuses.getOrDefault("superseded", 0L), "n"));
            results.add(Targets.zero(name(), scenario, "other delivery statuses",
                    rows - statuses.getOrDefault("synced", 0L) - statuses.getOrDefault("superseded", 0L), "n"));
            results.add(Targets.zero(name(), scenario, "secrets w/o final password", stale, "n"));
            // Where the two cores went while the burst drained: what slows the commits down.
            cpuSeconds.forEach((group, seconds) -> results.add(
                    BenchResult.figure(name(), "CPU time from 1st commit to all", group, seconds, "s")));
            results.add(Targets.below(name(), scenario, "peak RSS during burst", peakRssMib, "MiB", 256));
            results.add(Targets.below(name(), scenario, "VmHWM since start", peakSinceStartMib, "MiB", 256));

            double[] restartMillis = restarts(fixture, first.consumer(), new SlotQueries(connection, fixture.slot()),
                    settings);
            String restart = RESTARTS + " restarts: slot exists, nothing pending";
            results.add(Targets.below(name(), restart, "start-up to ready p50", Stats.median(restartMillis) / 1000,
                    "s", 3));
            results.add(Targets.below(name(), restart, "start-up to ready max",
                    Stats.percentile(restartMillis, 100) / 1000, "s", 3));
            results.add(LoadAverage.figure(name()));
        }
        return results;
    }

    /**
     * Stops {@code running} and starts a consumer {@link #RESTARTS} times, each once the slot is
     * free; returns each start's time to ready in milliseconds.
     */
    private static double[] restarts(SyncFixture fixture, ConsumerProcess running, SlotQueries slot,
            Map<String, String> settings) throws Exception {
        double[] millis = new double[RESTARTS];
        ConsumerProcess consumer = running;
        for (int i = 0; i < RESTARTS; i++) {
            consumer.terminate(Duration.ofSeconds(10));
            slot.awaitInactive(Duration.ofSeconds(10));
            StartupProbe.Started started = StartupProbe.start(fixture, settings);
            millis[i] = started.millisToReady();
            consumer = started.consumer();
        }
        return millis;
    }

    /** When each secret write (PutSecretValue, UpdateSecret, CreateSecret) reached the proxy, in order. */
    private static List<Long> writesAtAws(FaultProxy proxy) {
        List<Long> times = new ArrayList<>();
        for (String operation : WRITE_OPERATIONS) {
            times.addAll(proxy.requestTimes(operation));
        }
        times.sort(null);
        return times;
    }

    /** The most of {@code times} (nanoseconds, sorted) that fall in any half-open window of one second. */
    static int maxInAnySecond(List<Long> times) {
        int most = 0;
        int first = 0;
        for (int last = 0; last < times.size(); last++) {
            while (times.get(last) - times.get(first) >= 1_000_000_000L) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    /** Commits the burst, round after round; returns {@link System#nanoTime()} after the first commit. */
    private static long commitBurst(Connection connection, List<String> roles, Map<String, String> finalPasswords)
            throws Exception {
        long firstCommit = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (String role : roles) {
                String password = Passwords.next();
                RoleStatements.alterPassword(connection, role, password);
                if (firstCommit == 0) {
                    firstCommit = System.nanoTime();
                }
                finalPasswords.put(role, password);
            }
        }
        return firstCommit;
    }

    /**
     * How many roles' secrets do not hold the role's last password once every event has a
     * delivery row: the drain time counts only if that is zero, and the table says so.
     */
    private static long staleSecrets(SyncFixture fixture, Map<String, String> finalPasswords) {
        return finalPasswords.entrySet().stream()
                .filter(e -> !e.getValue().equals(
                        new SecretPoller(MotoServer.shared().client(), fixture.secretName(e.getKey())).password()))
                .count();
    }
}
