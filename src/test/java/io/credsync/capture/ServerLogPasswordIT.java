package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.credsync.testing.ClusterOptions;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import io.credsync.testing.ShutdownMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.credsync.testing.NoPasswordIn;

/**
 * No password reaches the server log from an error of a password statement that reached the
 * hook, whether the error is raised while capture runs (a cancel, a termination, a fast
 * shutdown) or after it in the same statement (a concurrent ALTER ROLE of the same role). With
 * the native module under PostgreSQL's default logging (log_min_error_statement = error), where
 * a later statement's error is still logged with its text; with pg_tle (a pg_tle test run),
 * which hides only what its hook raises, under log_min_error_statement = panic, as the README
 * and the RDS parameter group have it. A cluster of its own: one test restarts it.
 */
class ServerLogPasswordIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final boolean NATIVE =
            CredsyncDatabase.InstallMode.current() == CredsyncDatabase.InstallMode.NATIVE;

    private static PostgresCluster cluster;
    private static CredsyncDatabase database;
    private static String role;
    private final List<String> passwords = new ArrayList<>();

    @BeforeAll
    static void startAClusterWithDefaultLogging() throws Exception {
        cluster = PostgresCluster.start(NATIVE ? ClusterOptions.defaults() : ClusterOptions.defaults()
                .withPreloadLibraries("pg_tle")
                .withSetting("pgtle.enable_password_check", "require")
                .withSetting("log_min_error_statement", "panic"));
        database = CredsyncDatabase.create(cluster, "serverlog");
        database.addKey("arn:aws:kms:us-east-1:111122223333:key/serverlog", RsaKeys.pair(2048).getPublic());
        database.manage("slog\\_%");
        role = RoleStatements.uniqueName("slog");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            try (Statement statement = superuser.createStatement();
                    ResultSet row = statement.executeQuery("SHOW log_min_error_statement")) {
                row.next();
                assertThat(row.getString(1)).as("PostgreSQL's default, or what pg_tle needs")
                        .isEqualTo(NATIVE ? "error" : "panic");
            }
        }
    }

    @AfterAll
    static void stopTheCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void noPasswordOfTheTestIsInTheServerLog() {
        String log = cluster.serverLog();
        NoPasswordIn.assertAbsent(log, "the server log", passwords);
    }

    @Test
    void shouldNotLogThePasswordOfAChangeCancelledWhileCaptureWaits() throws Exception {
        String password = password("cancelled-in-capture");
        SQLException error = blockedInCapture(password, pid -> query("SELECT pg_cancel_backend(" + pid + ")"));

        assertThat(error.getSQLState()).as(error.getMessage()).isEqualTo("57014");
        awaitLog("ERROR:  canceling statement due to user request");
    }

    @Test
    void shouldNotLogThePasswordOfAChangeTerminatedWhileCaptureWaits() throws Exception {
        String password = password("terminated-in-capture");
        SQLException error = blockedInCapture(password, pid -> query("SELECT pg_terminate_backend(" + pid + ")"));

        assertThat(error.getSQLState()).as(error.getMessage()).isEqualTo("57P01");
        awaitLog("FATAL:  terminating connection due to administrator command");
    }

    @Test
    void shouldNotLogThePasswordOfAChangeCutOffByAFastShutdown() throws Exception {
        String password = password("shut-down-in-capture");
        int before = countIn(cluster.serverLog(), "terminating connection due to administrator command");
        SQLException error = blockedInCapture(password, pid -> cluster.restart(ShutdownMode.FAST));

        assertThat(error.getSQLState()).as(error.getMessage()).startsWith("57P");
        assertThat(countIn(cluster.serverLog(), "terminating connection due to administrator command"))
                .as("terminations logged by the fast shutdown").isGreaterThan(before);
    }

    @Test
    void shouldNotLogThePasswordOfAChangeThatLosesARaceForTheSameRole() throws Exception {
        String first = password("first-of-the-race");
        String second = password("second-of-the-race");
        try (Connection winner = database.connectAsSuperuser(); Connection loser = database.connectAsSuperuser()) {
            winner.setAutoCommit(false);
            RoleStatements.alterPassword(winner, role, first);
            int loserPid = pid(loser);
            // The loser's hook captures, then its catalog update waits for the winner's row and fails.
            CompletableFuture<Void> race = CompletableFuture.runAsync(() -> alter(loser, second));
            awaitWaitingOnALock(loserPid);
            winner.commit();

            assertThatThrownBy(() -> race.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().cause().isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getMessage()).contains("tuple concurrently updated"));
        }
        awaitLog("ERROR:  tuple concurrently updated");
    }

    @Test
    void shouldNotLogThePasswordOfANestedChangeOrOfTheTextThatHeldIt() throws Exception {
        String password = password("set-in-a-do-block");
        try (Connection connection = database.connectAsSuperuser()) {
            // The error comes after the nested ALTER ROLE has returned; the DO block's text still holds it.
            assertThatThrownBy(() -> RoleStatements.execute(connection, "DO $$BEGIN EXECUTE pg_catalog.format("
                    + "'ALTER ROLE %I PASSWORD %L', '" + role + "', '" + password + "'); PERFORM 1 / 0; END$$"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22012"));
        }
        awaitLog("ERROR:  division by zero");
    }

    @Test
    void shouldStillLogTheTextOfALaterStatementsError() throws Exception {
        assumeTrue(NATIVE, "with log_min_error_statement = panic no statement's text is logged");
        String password = password("before-a-later-error");
        String marker = "later_statement_" + ProcessHandle.current().pid();
        try (Connection connection = database.connectAsSuperuser()) {
            connection.setAutoCommit(false);
            RoleStatements.alterPassword(connection, role, password);
            assertThatThrownBy(() -> RoleStatements.execute(connection, "SELECT 1 / 0 AS " + marker))
                    .isInstanceOf(SQLException.class);
            connection.rollback();
        }
        awaitLog("STATEMENT:  SELECT 1 / 0 AS " + marker);
    }

    private String password(String value) {
        String password = SecretScan.password(value + "-" + ProcessHandle.current().pid());
        passwords.add(password);
        return password;
    }

    /** What to do to the backend blocked in capture, given its pid. */
    private interface Interruption {
        void interrupt(int pid) throws Exception;
    }

    /**
     * Changes the role's password while another session holds the outbox locked, so that the
     * change waits inside capture; interrupts it there; returns the error the change ended with.
     */
    private static SQLException blockedInCapture(String password, Interruption interruption) throws Exception {
        // PgJDBC closes a connection the server has terminated without an error.
        try (Connection blocker = database.connectAsSuperuser(); Connection changer = database.connectAsSuperuser()) {
            blocker.setAutoCommit(false);
            RoleStatements.execute(blocker, "LOCK TABLE credsync.outbox IN EXCLUSIVE MODE");
            int changerPid = pid(changer);
            CompletableFuture<Void> change = CompletableFuture.runAsync(() -> alter(changer, password));
            awaitWaitingOnALock(changerPid);
            interruption.interrupt(changerPid);
            try {
                change.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause().getCause() instanceof SQLException sql) {
                    return sql;
                }
                throw e;
            }
            throw new AssertionError("the change was not interrupted");
        }
    }

    private static void alter(Connection connection, String password) {
        try {
            RoleStatements.alterPassword(connection, role, password);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitWaitingOnALock(int pid) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (!"Lock".equals(query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + pid))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("backend " + pid + " never waited on a lock");
            }
            Thread.sleep(20);
        }
    }

    private static void awaitLog(String line) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!cluster.serverLog().contains(line)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the server log never showed: " + line);
            }
            Thread.sleep(20);
        }
    }

    private static String query(String sql) throws SQLException {
        try (Connection superuser = database.connectAsSuperuser();
                Statement statement = superuser.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static int pid(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_backend_pid()");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    private static int countIn(String text, String what) {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            count++;
        }
        return count;
    }
}
