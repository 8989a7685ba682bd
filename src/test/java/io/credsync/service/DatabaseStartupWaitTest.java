package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.credsync.config.DatabaseConfig;
import io.credsync.config.DatabaseScope;
import io.credsync.connection.PgConnector;
import io.credsync.connection.RetryPolicy;
import io.credsync.crypto.Password;
import io.credsync.replication.SqlStateClassifier;
import io.credsync.testing.PortAllocator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseStartupWaitTest {

    private static final String DATABASE = "app on db.example.com:5432 as credsync";
    private static final RetryPolicy QUICK = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5));

    @Test
    void shouldRetryAServerThatIsStartingRefusingOrShuttingDownUntilItAnswers() throws Exception {
        Deque<SQLException> failures = new ArrayDeque<>(List.of(
                new SQLException("Connection to db.example.com:5432 refused.", "08001"),
                new SQLException("FATAL: the database system is starting up", "57P03"),
                new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
        AtomicInteger attempts = new AtomicInteger();

        boolean ran = wait(Duration.ofMinutes(1)).run("to check the slot", () -> {
            attempts.incrementAndGet();
            if (!failures.isEmpty()) {
                throw failures.pop();
            }
        });

        assertThat(ran).isTrue();
        assertThat(attempts).hasValue(4);
    }

    @Test
    void shouldFailAtOnceOnWrongCredentialsAMissingDatabaseOrAServerWithoutSsl() {
        for (String state : List.of("28P01", "28000", "3D000", "08004", "42501")) {
            AtomicInteger attempts = new AtomicInteger();
            SQLException refusal = new SQLException("refused", state);

            assertThatThrownBy(() -> wait(Duration.ofMinutes(1)).run("to check the slot", () -> {
                attempts.incrementAndGet();
                throw refusal;
            })).as(state).isSameAs(refusal);
            assertThat(attempts).as("attempts on " + state).hasValue(1);
        }
    }

    @Test
    void shouldGiveUpAfterTheStartupTimeoutNamingTheSettingAndTheLastFailure() {
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> wait(Duration.ofMillis(50)).run("to check the slot", () -> {
            attempts.incrementAndGet();
            throw new SQLException("Connection to db.example.com:5432 refused.", "08001");
        })).isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageContaining("database.startup_timeout (PT0.05S)")
                .hasMessageContaining(DATABASE)
                .hasMessageContaining("to check the slot")
                .hasMessageContaining("SQLState 08001")
                .hasMessageContaining("database.host");
        assertThat(attempts.get()).as("attempts within 50 ms of 1 to 5 ms waits").isGreaterThan(1);
    }

    @Test
    void shouldReturnFalseWithoutRunningTheStepOnceStopped() throws Exception {
        DatabaseStartupWait wait = wait(Duration.ofMinutes(1));
        wait.stop();
        AtomicInteger attempts = new AtomicInteger();

        assertThat(wait.run("to check the slot", attempts::incrementAndGet)).isFalse();
        assertThat(attempts).hasValue(0);
    }

    @Test
    void shouldEndAWaitInProgressWhenStopped() throws Exception {
        DatabaseStartupWait wait = new DatabaseStartupWait(DATABASE, Duration.ofMinutes(1),
                new RetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30)), new SplittableRandom(1),
                System::nanoTime);
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            wait.stop();
        });
        stopper.start();
        long start = System.nanoTime();

        boolean ran = wait.run("to check the slot", () -> {
            throw new SQLException("FATAL: the database system is shutting down", "57P03");
        });

        assertThat(ran).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the 15 to 30 s backoff")
                .isLessThan(Duration.ofSeconds(5));
        stopper.join();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "nothing listens on the port, 127.0.0.1, 0",
        "the host name does not resolve, credsync-no-such-host.invalid, 5432",
    })
    void shouldWaitOnPgJdbcsOwnFailureForAnUnreachableDatabase(String why, String host, int port) {
        int target = port == 0 ? PortAllocator.freePort() : port;
        DatabaseConfig database = new DatabaseConfig(host, target, "app", "credsync", Optional.of("UNUSED"),
                Optional.empty(), Optional.of(Password.of("not-a-real-password")), DatabaseConfig.Auth.PASSWORD,
                DatabaseConfig.SslMode.DISABLE, Duration.ofSeconds(2), "credsync", Optional.empty(),
                DatabaseScope.ALL, Duration.ofMinutes(5));

        SQLException failure = catchThrowableOfType(() -> PgConnector.of(database).connect().close(), SQLException.class);

        assertThat((Throwable) failure).as(why).isNotNull();
        assertThat(SqlStateClassifier.isTemporarilyUnavailable(failure)).as(why + ": SQLState " + failure.getSQLState())
                .isTrue();
    }

    private static DatabaseStartupWait wait(Duration timeout) {
        return new DatabaseStartupWait(DATABASE, timeout, QUICK, new SplittableRandom(1), System::nanoTime);
    }
}
