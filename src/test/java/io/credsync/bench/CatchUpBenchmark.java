package io.credsync.bench;

import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.FaultProxy;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * How fast the consumer works off a backlog of one change for each of 100 roles when every AWS
 * call takes as long as it does against real AWS (a proxy holds each answer back), delivering
 * one role at a time ({@code delivery.concurrency: 1}) and four at once (the default). The
 * emulators answer in a few milliseconds, so without the added latency this machine's two busy
 * cores, not the waiting, would be measured.
 */
final class CatchUpBenchmark implements Benchmark {

    private static final int ROLES = 100;
    private static final Duration LATENCY = Duration.ofMillis(10);
    private static final List<Integer> CONCURRENCY = List.of(1, 4);
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String name() {
        return "catch-up";
    }

    @Override
    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>();
        try (SyncFixture fixture = SyncFixture.create("bench_catchup");
                Connection connection = fixture.database().connectAsSuperuser();
                FaultProxy kms = FaultProxy.start(LocalKms.shared().endpoint());
                FaultProxy secretsManager = FaultProxy.start(MotoServer.shared().endpoint())) {
            fixture.database().manage("catchup\\_%");
            List<String> roles = new ArrayList<>();
            for (int i = 0; i < ROLES; i++) {
                roles.add(RoleStatements.uniqueName("catchup"));
                RoleStatements.createRoleWithoutPassword(connection, roles.get(i));
            }
            OutboxQueries outbox = new OutboxQueries(connection);
            // Unmeasured: creates every secret, so that each measured round writes existing ones alike.
            deliverBacklog(fixture, roles, connection, outbox, kms, secretsManager, 4);

            kms.latency(LATENCY);
            secretsManager.latency(LATENCY);
            String backlog = ROLES + " roles' backlog, AWS answers held " + LATENCY.toMillis() + " ms a piece";
            double[] seconds = new double[CONCURRENCY.size()];
            for (int i = 0; i < CONCURRENCY.size(); i++) {
                int concurrency = CONCURRENCY.get(i);
                String scenario = backlog + ", concurrency " + concurrency;
                Round round = deliverBacklog(fixture, roles, connection, outbox, kms, secretsManager, concurrency);
                seconds[i] = round.seconds();
                results.add(BenchResult.figure(name(), scenario, "backlog delivered in", round.seconds(), "s"));
                results.add(BenchResult.figure(name(), scenario, "secret write mean (describe, get, put)",
                        round.writeMillis(), "ms"));
                results.add(BenchResult.figure(name(), scenario, "KMS decrypt mean", round.kmsMillis(), "ms"));
            }
            results.add(BenchResult.figure(name(), backlog, "speed-up, concurrency 4 vs 1", seconds[0] / seconds[1],
                    "x"));
            results.add(LoadAverage.figure(name()));
        }
        return results;
    }

    private record Round(double seconds, double writeMillis, double kmsMillis) {
    }

    /** Changes every role's password with no consumer running, then times a consumer working it off. */
    private static Round deliverBacklog(SyncFixture fixture, List<String> roles, Connection connection,
            OutboxQueries outbox, FaultProxy kms, FaultProxy secretsManager, int concurrency) throws Exception {
        for (String role : roles) {
            RoleStatements.alterPassword(connection, role, "catchup-" + HexFormat.of().formatHex(randomBytes()));
        }
        ConsumerProcess consumer = fixture.startConsumer(Map.of(
                "CREDSYNC_AWS_KMS_ENDPOINT", kms.endpoint().toString(),
                "CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT", secretsManager.endpoint().toString(),
                "CREDSYNC_DELIVERY_CONCURRENCY", Integer.toString(concurrency)));
        try {
            // Ready (listening) comes before the delivery thread starts: the wait measures delivery alone.
            long start = System.nanoTime();
            long done = outbox.awaitNothingPending(TIMEOUT);
            PrometheusText metrics = new ConsumerEndpoints(consumer.metricsPort()).metrics();
            double writes = metrics.sum("credsync_secretsmanager_call_seconds_count");
            double kmsCalls = metrics.sum("credsync_kms_call_seconds_count");
            return new Round(Millis.between(start, done) / 1000,
                    writes == 0 ? 0 : metrics.sum("credsync_secretsmanager_call_seconds_sum") * 1000 / writes,
                    kmsCalls == 0 ? 0 : metrics.sum("credsync_kms_call_seconds_sum") * 1000 / kmsCalls);
        } finally {
            consumer.terminate(Duration.ofSeconds(10));
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
