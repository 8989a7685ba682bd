package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.FaultProxy;
import io.credsync.testing.FaultProxy.Mode;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.credsync.testing.NoPasswordIn;

/**
 * Secrets Manager unreachable, then answering 500s, then throttling, and KMS unreachable, by a
 * fault-injecting proxy between the consumer and the emulators, while passwords keep changing:
 * when the faults end, every managed role's secret logs in with the role's final password, no
 * event failed, and the consumer's output holds no password.
 */
class AwsFaultsIT {

    private static final int ROLES = 10;
    private static final int ROUNDS = 8;
    private static final Duration FAULT = Duration.ofSeconds(3);

    @Test
    // Longer than the default: four faults in turn, then up to a minute per role to catch up.
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldDeliverEveryFinalPasswordThroughOutagesErrorsAndThrottling() throws Exception {
        List<String> passwords = new ArrayList<>();
        try (SyncFixture fixture = SyncFixture.create("faults");
                FaultProxy secretsManager = FaultProxy.start(MotoServer.shared().endpoint());
                FaultProxy kms = FaultProxy.start(LocalKms.shared().endpoint())) {
            fixture.database().manage("fault\\_%");
            List<String> roles = new ArrayList<>();
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                for (int i = 0; i < ROLES; i++) {
                    String role = RoleStatements.uniqueName("fault");
                    RoleStatements.createRoleWithoutPassword(superuser, role);
                    roles.add(role);
                }
            }
            ConsumerProcess consumer = fixture.startConsumer(Map.of(
                    "CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT", secretsManager.endpoint().toString(),
                    "CREDSYNC_AWS_KMS_ENDPOINT", kms.endpoint().toString()));

            Map<String, String> finalPasswords = new ConcurrentHashMap<>();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (Connection superuser = fixture.database().connectAsSuperuser()) {
                    for (int round = 0; round < ROUNDS; round++) {
                        for (String role : roles) {
                            String password = "fault-" + round + "-" + role;
                            RoleStatements.alterPassword(superuser, role, password);
                            finalPasswords.put(role, password);
                        }
                        Thread.sleep(FAULT.toMillis() * 5 / ROUNDS);
                    }
                } catch (SQLException | InterruptedException e) {
                    writerFailure.set(e);
                }
            }, "password-changes");
            writer.start();
            for (Mode fault : List.of(Mode.REFUSE, Mode.SERVER_ERROR, Mode.THROTTLE)) {
                secretsManager.mode(fault);
                Thread.sleep(FAULT.toMillis());
            }
            secretsManager.mode(Mode.PASS);
            kms.mode(Mode.REFUSE);
            Thread.sleep(FAULT.toMillis());
            kms.mode(Mode.PASS);
            writer.join();
            assertThat(writerFailure.get()).as("ALTER ROLE never depends on AWS").isNull();

            for (String role : roles) {
                JsonNode secret = fixture.awaitSecretPassword(role, finalPasswords.get(role), Duration.ofSeconds(60));
                try (Connection login = fixture.database().postgres().connect(secret.path("dbname").asText(),
                        secret.path("username").asText(), secret.path("password").asText())) {
                    assertThat(login.isValid(5)).as("the secret of " + role + " logs in").isTrue();
                }
            }
            passwords.addAll(finalPasswords.values());
            fixture.awaitEveryEventDelivered(Duration.ofSeconds(60));
            assertThat(count(fixture, "status NOT IN ('synced', 'superseded')"))
                    .as("transient AWS errors are retried, never recorded as failures").isZero();
            String output = consumer.output();
            assertThat(output).as("the consumer retried through the faults").contains("retrying in");
            NoPasswordIn.assertAbsent(output, "the consumer's output", passwords);
        }
    }

    private static long count(SyncFixture fixture, String condition) throws SQLException {
        return single(fixture, "SELECT count(*) FROM credsync.delivery WHERE " + condition);
    }

    private static long single(SyncFixture fixture, String sql) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                Statement statement = superuser.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
