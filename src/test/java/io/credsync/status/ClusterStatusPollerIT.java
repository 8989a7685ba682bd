package io.credsync.status;

import static io.credsync.testing.Jdbc.execute;
import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.connection.DatabaseConnector;
import io.credsync.crypto.Password;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.Jdbc;
import io.credsync.testing.RsaKeys;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One poller for several databases, on a real cluster: every slot read in one statement on the
 * home database, each backlog on its own database, and a backlog read again only when its
 * database wrote (or, while it is active, the WAL moved) or it is {@link ClusterStatusPoller#BACKLOG_REFRESH}
 * old.
 */
class ClusterStatusPollerIT {

    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/poller";

    private CredsyncDatabase home;
    private CredsyncDatabase other;
    private String homeSlot;
    private String otherSlot;
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger otherStatements = new AtomicInteger();
    private ClusterStatusPoller poller;

    @BeforeEach
    void twoDatabasesWithASlotEach() throws SQLException {
        home = CredsyncDatabase.create("poller_home");
        other = CredsyncDatabase.create("poller_other");
        homeSlot = "poller_" + home.name();
        otherSlot = "poller_" + other.name();
        createSlot(home, homeSlot);
        createSlot(other, otherSlot);
        other.addKey(KID, RsaKeys.pair(2048).getPublic());
        poller = new ClusterStatusPoller(connector(home, null), Duration.ofSeconds(5), clock);
    }

    @AfterEach
    void dropSlots() throws SQLException {
        if (poller != null) {
            poller.close();
        }
        // The cluster is shared: a forgotten slot would hold its WAL for the rest of the run.
        for (CredsyncDatabase database : new CredsyncDatabase[] {home, other}) {
            try (Connection c = database.connectAsSuperuser()) {
                execute(c, "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots"
                        + " WHERE database = current_database() AND slot_name LIKE 'poller\\_%'");
            }
        }
    }

    @Test
    void everySlotIsReadOnTheHomeDatabaseAndEachBacklogInItsOwn() throws SQLException {
        WatchedDatabase watchedHome = poller.watch(connector(home, null), homeSlot);
        WatchedDatabase watchedOther = poller.watch(connector(other, otherStatements), otherSlot);
        WatchedDatabase missing = poller.watch(connector(other, null), otherSlot + "_missing");
        insertOutboxRow(other);

        assertThat(poller.poll()).isTrue();

        DatabaseSnapshot homeFigures = watchedHome.snapshot().orElseThrow();
        DatabaseSnapshot otherFigures = watchedOther.snapshot().orElseThrow();
        assertThat(homeFigures.slotName()).isEqualTo(homeSlot);
        assertThat(homeFigures.slotExists()).isTrue();
        assertThat(homeFigures.pendingEvents()).as("home's own outbox").isZero();
        assertThat(otherFigures.slotName()).isEqualTo(otherSlot);
        assertThat(otherFigures.slotExists()).isTrue();
        assertThat(otherFigures.retainedWalBytes()).isNotNull().isNotNegative();
        assertThat(otherFigures.pendingEvents()).as("the other database's outbox").isEqualTo(1);
        assertThat(missing.snapshot().orElseThrow().slotExists()).isFalse();
        assertThat(watchedHome.answering()).isTrue();
        assertThat(watchedOther.answering()).isTrue();
    }

    @Test
    void aBacklogIsReadAgainWhenItsDatabaseWroteOrAtTheRefreshButNotOnEveryPollOfAnIdleCluster() throws SQLException {
        WatchedDatabase watched = poller.watch(connector(other, otherStatements), otherSlot);
        assertThat(poller.poll()).isTrue();
        assertThat(poller.poll()).isTrue();
        int settled = otherStatements.get();

        for (int i = 0; i < 10; i++) {
            assertThat(poller.poll()).isTrue();
        }
        assertThat(otherStatements.get() - settled)
                .as("backlog reads in 10 polls with nothing written (the server's own WAL, a checkpoint, may move"
                        + " it once)").isLessThanOrEqualTo(2);

        insertOutboxRow(other);
        assertThat(poller.poll()).isTrue();
        assertThat(watched.snapshot().orElseThrow().pendingEvents()).as("its database wrote: read again").isEqualTo(1);
        assertThat(watched.snapshot().orElseThrow().oldestPendingAge()).isNotNull();

        poller.poll();
        poller.poll();
        int before = otherStatements.get();
        clock.advance(ClusterStatusPoller.BACKLOG_REFRESH);
        assertThat(poller.poll()).isTrue();
        assertThat(otherStatements.get()).as("as old as BACKLOG_REFRESH: read again").isGreaterThan(before);
    }

    @Test
    void anIdleDatabasesBacklogIsNotReadForWalWrittenElsewhereButIsOnceItWritesItself() throws SQLException {
        home.addKey(KID, RsaKeys.pair(2048).getPublic());
        WatchedDatabase watchedHome = poller.watch(connector(home, null), homeSlot);
        WatchedDatabase watched = poller.watch(connector(other, otherStatements), otherSlot);
        assertThat(poller.poll()).isTrue();
        clock.advance(ClusterStatusPoller.ACTIVE);
        assertThat(poller.poll()).isTrue();
        int idle = otherStatements.get();

        insertOutboxRow(home);
        // The WAL moved at once; the home database's counters show the insert once its session reported them.
        Awaitility.await("the home database's backlog shows its insert").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> poller.poll() && watchedHome.snapshot().orElseThrow().pendingEvents() == 1);
        assertThat(otherStatements.get()).as("no backlog read for WAL written in another database").isEqualTo(idle);

        clock.advance(ClusterStatusPoller.ACTIVE);
        insertOutboxRow(other);
        Awaitility.await("the other database's backlog shows its own insert").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> poller.poll() && watched.snapshot().orElseThrow().pendingEvents() == 1);
        assertThat(otherStatements.get()).as("read once its own counters moved").isGreaterThan(idle);
    }

    @Test
    void aClosedWatchIsPolledNoMoreAndTheOthersStillAre() throws SQLException {
        WatchedDatabase watchedHome = poller.watch(connector(home, null), homeSlot);
        WatchedDatabase watchedOther = poller.watch(connector(other, otherStatements), otherSlot);
        assertThat(poller.poll()).isTrue();

        watchedOther.close();
        int before = otherStatements.get();
        clock.advance(ClusterStatusPoller.BACKLOG_REFRESH);
        insertOutboxRow(other);

        assertThat(poller.poll()).isTrue();
        assertThat(otherStatements.get()).as("no statement for the closed watch").isEqualTo(before);
        assertThat(watchedHome.snapshot().orElseThrow().polledAt()).isEqualTo(clock.instant());
        try (Connection c = other.connectAsSuperuser()) {
            assertThat(Jdbc.single(c, "SELECT count(*) FROM pg_catalog.pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()"
                    + " AND application_name = 'poller-test'")).as("its connection is closed").isEqualTo("0");
        }
    }

    private static void createSlot(CredsyncDatabase database, String slot) throws SQLException {
        try (Connection c = database.connectAsSuperuser()) {
            execute(c, "SELECT pg_catalog.pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
    }

    private static void insertOutboxRow(CredsyncDatabase database) throws SQLException {
        try (Connection c = database.connectAsSuperuser()) {
            execute(c, "INSERT INTO credsync.outbox (event_id, role_name, kid, envelope)"
                    + " VALUES (gen_random_uuid(), 'r', '" + KID + "', 'x.y.z.w.v')");
        }
    }

    /** Superuser connections to {@code database}, counting the statements prepared on them when asked to. */
    private static DatabaseConnector connector(CredsyncDatabase database, AtomicInteger statements) {
        return new DatabaseConnector() {
            @Override
            public Connection connect() throws SQLException {
                Connection real = database.connectAsSuperuser();
                real.setClientInfo("ApplicationName", "poller-test");
                if (statements == null) {
                    return real;
                }
                InvocationHandler counting = (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement")) {
                        statements.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                };
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, counting);
            }

            @Override
            public Connection connectForReplication() {
                throw new UnsupportedOperationException("the poller needs no replication connection");
            }

            @Override
            public Connection connectAs(String role, Password password) {
                throw new UnsupportedOperationException("the poller logs in as no other role");
            }

            @Override
            public String databaseName() {
                return database.name();
            }
        };
    }

    /** A clock the test moves forward. */
    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
