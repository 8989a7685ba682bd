package io.credsync.bench;

import static io.credsync.testing.Jdbc.execute;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * An idle outbox on a busy database: with the consumer running and no password change, another
 * table takes at least 64 MB of WAL. The slot must not hold that WAL: the consumer confirms the
 * server's position from keepalives while nothing is in flight. Reports the slot's retained WAL
 * ({@code pg_current_wal_lsn() - confirmed_flush_lsn}) five seconds after the last write, and how
 * long after the last write it first fell below 16 MB.
 */
final class IdleSlotBenchmark implements Benchmark {

    private static final String FIXTURE_PREFIX = "bench_idle";
    private static final long MIB = 1024 * 1024;
    private static final long WAL_TO_WRITE = 64 * MIB;
    private static final long RETAINED_LIMIT = 16 * MIB;
    /** About 2.3 MB of WAL per batch: rows of 1 KiB, below the TOAST threshold, so not compressed. */
    private static final String INSERT_BATCH = "INSERT INTO bench_filler"
            + " SELECT repeat(md5(random()::text), 32) FROM generate_series(1, 2000)";
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Duration WATCH = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "idle-slot";
    }

    @Override
    public List<BenchResult> run() throws Exception {
        try (SyncFixture fixture = SyncFixture.create(FIXTURE_PREFIX);
                Connection connection = fixture.database().connectAsSuperuser()) {
            fixture.database().manage("idle\\_%");
            StartupProbe.start(fixture);
            execute(connection, "CREATE TABLE bench_filler (x text)");
            try {
                return measure(fixture, connection);
            } finally {
                execute(connection, "DROP TABLE bench_filler");
            }
        }
    }

    private List<BenchResult> measure(SyncFixture fixture, Connection connection) throws Exception {
        SlotQueries slot = new SlotQueries(connection, fixture.slot());
        String startLsn = currentLsn(connection);
        long peakRetained = 0;
        long written = 0;
        Deadline writing = Deadline.in(Duration.ofSeconds(120));
        while (written < WAL_TO_WRITE) {
            execute(connection, INSERT_BATCH);
            written = walSince(connection, startLsn);
            peakRetained = Math.max(peakRetained, slot.retainedBytes());
            writing.check("writing " + WAL_TO_WRITE / MIB + " MB of WAL");
        }
        long lastWrite = System.nanoTime();

        // Watch the slot: when it first falls below the limit, and where it stands after SETTLE.
        double secondsToBelow = -1;
        long retainedAfterSettle = -1;
        Deadline watching = Deadline.in(WATCH);
        while (secondsToBelow < 0 || retainedAfterSettle < 0) {
            long now = System.nanoTime();
            long retained = slot.retainedBytes();
            if (secondsToBelow < 0 && retained < RETAINED_LIMIT) {
                secondsToBelow = Millis.between(lastWrite, now) / 1000;
            }
            if (retainedAfterSettle < 0 && now - lastWrite >= SETTLE.toNanos()) {
                retainedAfterSettle = retained;
            }
            if (watching.passed()) {
                break;
            }
            Thread.sleep(100);
        }

        String scenario = "consumer idle, " + written / MIB + " MB WAL to another table";
        boolean fell = secondsToBelow >= 0;
        double shownSeconds = fell ? secondsToBelow : WATCH.toSeconds();
        return List.of(
                BenchResult.figure(name(), scenario, "retained WAL peak (writing)", (double) peakRetained / MIB, "MiB"),
                Targets.below(name(), scenario, "retained WAL 5 s after", (double) retainedAfterSettle / MIB, "MiB",
                        RETAINED_LIMIT / MIB),
                new BenchResult(name(), scenario + (fell ? "" : ", never within " + WATCH.toSeconds() + " s"),
                        "s to < 16 MB after writes", shownSeconds, "s", "< " + SETTLE.toSeconds(),
                        fell && secondsToBelow < SETTLE.toSeconds()),
                LoadAverage.figure(name()));
    }

    private static String currentLsn(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long walSince(Connection connection, String startLsn) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)::bigint")) {
            statement.setString(1, startLsn);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
