package io.credsync.bench;

import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code ALTER ROLE ... PASSWORD} of managed roles with the consumer running, while the AWS
 * emulators (local-kms and moto) are really stopped, against while they run: the claim is that a
 * password change never waits on AWS. Blocks of statements alternate between the two states in
 * the order up, down, down, up, up, down... (so that neither state always comes first, and every
 * other block boundary needs no restart); between blocks both emulator processes are stopped, or
 * started again on their old ports.
 *
 * <p>Before an "up" block the consumer is given time to deliver the backlog the "down" block
 * left, so that "up" is the steady state of normal operation (each change delivered as it comes)
 * rather than a catch-up burst; before a "down" block it is given a moment to notice the outage.
 */
final class AwsOutageBenchmark implements Benchmark {

    private static final int ROLES = 10;
    private static final int WARM_UP = 50;
    private static final int BLOCKS_PER_STATE = 6;
    private static final int STATEMENTS_PER_BLOCK = 100;
    private static final Duration OUTAGE_NOTICED = Duration.ofSeconds(1);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
    private static final double TARGET_RATIO = 1.1;

    @Override
    public String name() {
        return "aws-outage";
    }

    @Override
    public List<BenchResult> run() throws Exception {
        LocalKms kms = LocalKms.shared();
        MotoServer moto = MotoServer.shared();
        try (SyncFixture fixture = SyncFixture.create("bench_outage")) {
            fixture.database().manage("outage\\_%");
            List<String> roles = new ArrayList<>();
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                for (int i = 0; i < ROLES; i++) {
                    String role = RoleStatements.uniqueName("outage");
                    RoleStatements.createRole(superuser, role, Passwords.next());
                    roles.add(role);
                }
            }
            ConsumerProcess consumer = fixture.startConsumer();
            new ConsumerEndpoints(consumer.metricsPort()).awaitReady(Duration.ofSeconds(30));
            fixture.awaitEveryEventDelivered(DRAIN_TIMEOUT);

            double[] up = new double[BLOCKS_PER_STATE * STATEMENTS_PER_BLOCK];
            double[] down = new double[BLOCKS_PER_STATE * STATEMENTS_PER_BLOCK];
            int stops = 0;
            try (Connection connection = fixture.database().connectAsSuperuser();
                    Statement statement = connection.createStatement()) {
                time(statement, roles, new double[WARM_UP], 0);
                boolean running = true;
                for (int block = 0; block < 2 * BLOCKS_PER_STATE; block++) {
                    // up, down, down, up, up, down, ...: each pair alternates which state goes first.
                    boolean wantUp = ((block + 1) / 2) % 2 == 0;
                    if (wantUp && !running) {
                        kms.resume();
                        moto.resume();
                        fixture.awaitEveryEventDelivered(DRAIN_TIMEOUT);
                        running = true;
                    } else if (!wantUp && running) {
                        kms.stop();
                        moto.stop();
                        stops++;
                        Thread.sleep(OUTAGE_NOTICED.toMillis());
                        running = false;
                    }
                    checkState(consumer, kms, moto, wantUp);
                    time(statement, roles, wantUp ? up : down, (block / 2) * STATEMENTS_PER_BLOCK);
                }
            } finally {
                kms.resume();
                moto.resume();
            }
            fixture.awaitEveryEventDelivered(DRAIN_TIMEOUT);
            if (!consumer.isAlive()) {
                throw new IllegalStateException("the consumer exited during the outages:\n" + consumer.output());
            }
            long otherOutcomes;
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                Map<String, Long> statuses = new OutboxQueries(superuser).statusesAfter(0);
                otherOutcomes = statuses.entrySet().stream()
                        .filter(e -> !e.getKey().equals("synced") && !e.getKey().equals("superseded"))
                        .mapToLong(Map.Entry::getValue).sum();
                System.out.println("  " + name() + ": delivery rows by status " + statuses);
                // A row that is neither fails the run: say why (a reason never holds a password).
                new OutboxQueries(superuser).reasonsAfter(0, "synced", "superseded")
                        .forEach(reason -> System.out.println("  " + name() + ": " + reason));
            }
            return results(up, down, stops, otherOutcomes);
        }
    }

    /** Fails the run if a block would not measure what it says. */
    private static void checkState(ConsumerProcess consumer, LocalKms kms, MotoServer moto, boolean up) {
        if (!consumer.isAlive()) {
            throw new IllegalStateException("the consumer exited:\n" + consumer.output());
        }
        if (kms.isRunning() != up || moto.isRunning() != up) {
            throw new IllegalStateException("the emulators are not " + (up ? "running" : "stopped") + ": local-kms "
                    + kms.isRunning() + ", moto " + moto.isRunning());
        }
    }

    /**
     * Runs {@link #STATEMENTS_PER_BLOCK} (or {@code into.length}, if smaller) password changes,
     * round robin over the roles, and puts their durations in milliseconds into {@code into}
     * from {@code offset}.
     */
    private static void time(Statement statement, List<String> roles, double[] into, int offset) throws SQLException {
        int count = Math.min(STATEMENTS_PER_BLOCK, into.length - offset);
        for (int i = 0; i < count; i++) {
            String sql = "ALTER ROLE " + roles.get(i % roles.size()) + " PASSWORD '" + Passwords.next() + "'";
            long start = System.nanoTime();
            statement.execute(sql);
            into[offset + i] = Millis.between(start, System.nanoTime());
        }
    }

    private List<BenchResult> results(double[] up, double[] down, int stops, long otherOutcomes) {
        String scenario = "consumer on, " + BLOCKS_PER_STATE + "x" + STATEMENTS_PER_BLOCK + " per state, "
                + ROLES + " roles";
        double upMedian = Stats.median(up);
        double downMedian = Stats.median(down);
        List<BenchResult> results = new ArrayList<>();
        results.add(BenchResult.figure(name(), scenario, "median emulators up", upMedian, "ms"));
        results.add(BenchResult.figure(name(), scenario, "median emulators down", downMedian, "ms"));
        results.add(BenchResult.figure(name(), scenario, "p99 emulators up", Stats.percentile(up, 99), "ms"));
        results.add(BenchResult.figure(name(), scenario, "p99 emulators down", Stats.percentile(down, 99), "ms"));
        results.add(BenchResult.atMost(name(), scenario, "ratio down/up (median)", downMedian / upMedian, "x",
                TARGET_RATIO));
        results.add(BenchResult.figure(name(), scenario, "ratio down/up (p99)",
                Stats.percentile(down, 99) / Stats.percentile(up, 99), "x"));
        results.add(BenchResult.figure(name(), scenario, "outages (both emulators)", stops, "n"));
        results.add(Targets.zero(name(), scenario, "not synced or superseded", otherOutcomes, "n"));
        results.add(LoadAverage.figure(name()));
        if (Arrays.stream(down).anyMatch(d -> d == 0) || Arrays.stream(up).anyMatch(d -> d == 0)) {
            throw new IllegalStateException("a block measured fewer statements than planned");
        }
        return results;
    }
}
