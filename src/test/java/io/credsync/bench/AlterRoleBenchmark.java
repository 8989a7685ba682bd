package io.credsync.bench;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.RsaKeys;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code ALTER ROLE ... PASSWORD} for a managed role with the passcheck hook, against the same
 * statement with the hook switched off ({@code credsync_passcheck.enabled = off}, so the
 * server only hashes the password), interleaved statement by statement on one server so that
 * both sides see the same machine load. Reports medians and their ratio per RSA key size.
 */
final class AlterRoleBenchmark implements Benchmark {

    private static final int WARM_UP = 30;
    private static final int PAIRS = 300;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String name() {
        return "alter-role";
    }

    @Override
    public List<BenchResult> run() throws Exception {
        CredsyncDatabase database = CredsyncDatabase.create("bench_alter");
        database.manage("bench\\_managed%");
        List<BenchResult> results = new ArrayList<>();
        for (int bits : new int[] {2048, 3072, 4096}) {
            database.addKey("arn:aws:kms:us-east-1:111122223333:key/bench-" + bits, RsaKeys.pair(bits).getPublic());
            results.addAll(measure(database, bits));
        }
        return results;
    }

    private List<BenchResult> measure(CredsyncDatabase database, int bits) throws SQLException {
        String role = "bench_managed_" + bits;
        try (Connection hooked = database.connectAsSuperuser(); Connection plain = database.connectAsSuperuser();
                Statement withHook = hooked.createStatement(); Statement withoutHook = plain.createStatement()) {
            withHook.execute("CREATE ROLE " + role + " LOGIN");
            withoutHook.execute("SET credsync_passcheck.enabled = off");
            double[] hookMillis = new double[PAIRS];
            double[] plainMillis = new double[PAIRS];
            for (int i = -WARM_UP; i < PAIRS; i++) {
                // Alternate which side goes first, so neither always runs on a warmer cache.
                boolean hookFirst = (i & 1) == 0;
                double a = time(hookFirst ? withHook : withoutHook, role);
                double b = time(hookFirst ? withoutHook : withHook, role);
                if (i >= 0) {
                    hookMillis[i] = hookFirst ? a : b;
                    plainMillis[i] = hookFirst ? b : a;
                }
            }
            double hookMedian = Stats.median(hookMillis);
            double plainMedian = Stats.median(plainMillis);
            String scenario = "RSA " + bits + ", " + PAIRS + " interleaved pairs";
            List<BenchResult> results = new ArrayList<>();
            results.add(BenchResult.figure(name(), scenario, "median without hook", plainMedian, "ms"));
            results.add(BenchResult.figure(name(), scenario, "median with hook", hookMedian, "ms"));
            results.add(BenchResult.figure(name(), scenario, "p95 with hook", Stats.percentile(hookMillis, 95), "ms"));
            double ratio = hookMedian / plainMedian;
            results.add(switch (bits) {
                case 2048 -> BenchResult.atMost(name(), scenario, "ratio with/without hook", ratio, "x", 1.5);
                case 3072 -> BenchResult.atMost(name(), scenario, "ratio with/without hook", ratio, "x", 2.0);
                default -> BenchResult.figure(name(), scenario, "ratio with/without hook", ratio, "x");
            });
            return results;
        }
    }

    private static double time(Statement statement, String role) throws SQLException {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        String sql = "ALTER ROLE " + role + " PASSWORD 'bench-" + HexFormat.of().formatHex(random) + "'";
        long start = System.nanoTime();
        statement.execute(sql);
        return (System.nanoTime() - start) / 1_000_000.0;
    }
}
