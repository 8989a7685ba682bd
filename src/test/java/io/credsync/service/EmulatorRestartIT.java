package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.FaultInjection;
import io.credsync.testing.FaultProxy;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.ProxyFault;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SecretScan;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An AWS emulator restarted in the middle of a delivery, with a real consumer, database and
 * {@code ALTER ROLE}: the change still ends {@code synced}. A {@link FaultProxy} holds the chosen
 * call while the test restarts the emulator, then lets it go on to the new process.
 *
 * <p>The aws-outage benchmark stops and restarts both emulators while roles change; moto keeps
 * secrets in memory, so the secret a write described before the restart is gone after it, and
 * Secrets Manager's {@code ResourceNotFoundException} to a put to the described ARN used to be
 * recorded as a permanent failure. These tests restart the shared moto and local-kms (local-kms
 * keeps its keys; moto forgets every secret, which no later test relies on).
 */
class EmulatorRestartIT {

    private static final Duration HELD = Duration.ofSeconds(30);
    private static final Duration OUTCOME = Duration.ofSeconds(60);
    private static final String PUT = "secretsmanager.PutSecretValue";

    private final OutputWatch outputs = new OutputWatch();

    @AfterEach
    void noPasswordInOutput() {
        outputs.assertNoPassword("\"password\"");
    }

    @Test
    void shouldSyncAChangeWhenSecretsManagerRestartsBetweenDescribingTheSecretAndPuttingTheValue()
            throws Exception {
        try (SyncFixture fixture = SyncFixture.create("restart_put");
                FaultProxy secretsManager = FaultProxy.startPerRequest(MotoServer.shared().endpoint())) {
            ConsumerProcess consumer = startConsumer(fixture, secretsManager, LocalKms.shared().endpoint().toString());
            String role = roleWithSyncedSecret(fixture);
            ProxyFault.Hold hold = ProxyFault.hold();
            secretsManager.inject(PUT, hold);

            String password = changePassword(fixture, role, "across-restart");
            restartMotoWhileHeld(hold);

            assertSynced(fixture, role, password);
            assertThat(consumer.output()).as("the vanished secret is retried, and created again")
                    .contains("Secrets Manager answered ResourceNotFoundException; retrying in");
        }
    }

    @Test
    void shouldSyncAChangeWhenTheSdksOwnRetryOfThePutReachesARestartedSecretsManager() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("restart_retry");
                FaultProxy secretsManager = FaultProxy.startPerRequest(MotoServer.shared().endpoint())) {
            startConsumer(fixture, secretsManager, LocalKms.shared().endpoint().toString());
            String role = roleWithSyncedSecret(fixture);
            // The first attempt dies with the old process; the SDK's retry, with the same ARN, meets the new one.
            FaultInjection dropped = secretsManager.inject(PUT, ProxyFault.dropRequest());
            ProxyFault.Hold hold = ProxyFault.hold();
            secretsManager.inject(PUT, hold);

            String password = changePassword(fixture, role, "sdk-retry-across-restart");
            restartMotoWhileHeld(hold);

            assertSynced(fixture, role, password);
            assertThat(dropped.isSpent()).isTrue();
        }
    }

    @Test
    void shouldSyncAChangeWhenKmsRestartsDuringTheDecrypt() throws Exception {
        LocalKms localKms = LocalKms.shared();
        try (SyncFixture fixture = SyncFixture.create("restart_kms");
                FaultProxy kms = FaultProxy.startPerRequest(localKms.endpoint())) {
            ConsumerProcess consumer = outputs.consumer(fixture.startConsumer(Map.of(
                    "CREDSYNC_AWS_KMS_ENDPOINT", kms.endpoint().toString())));
            String role = roleWithSyncedSecret(fixture);
            ProxyFault.Hold hold = ProxyFault.hold();
            kms.inject("TrentService.Decrypt", hold);

            String password = changePassword(fixture, role, "kms-restart");
            hold.awaitHeld(HELD);
            localKms.stop();
            // Let the held Decrypt meet the stopped emulator (reset), and the retries after it.
            hold.release();
            Thread.sleep(500);
            localKms.resume();

            assertSynced(fixture, role, password);
            assertThat(consumer.output()).contains("KMS answered SdkClientException; retrying in");
        }
    }

    private ConsumerProcess startConsumer(SyncFixture fixture, FaultProxy secretsManager, String kmsEndpoint) {
        return outputs.consumer(fixture.startConsumer(Map.of(
                "CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT", secretsManager.endpoint().toString(),
                "CREDSYNC_AWS_KMS_ENDPOINT", kmsEndpoint)));
    }

    private static void restartMotoWhileHeld(ProxyFault.Hold hold) throws InterruptedException {
        try {
            hold.awaitHeld(HELD);
            MotoServer.shared().stop();
            MotoServer.shared().resume();
        } finally {
            hold.release();
        }
    }

    private String roleWithSyncedSecret(SyncFixture fixture) throws Exception {
        fixture.database().manage("restart\\_%");
        String role = RoleStatements.uniqueName("restart");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, outputs.password("first-" + role));
        }
        fixture.awaitEveryEventDelivered(OUTCOME);
        assertThat(fixture.deliveryColumn(role, "d.status")).containsExactly("synced");
        return role;
    }

    private String changePassword(SyncFixture fixture, String role, String password) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.alterPassword(superuser, role, SecretScan.password(outputs.password(password)));
        }
        return password;
    }

    private static void assertSynced(SyncFixture fixture, String role, String password) throws Exception {
        fixture.awaitEveryEventDelivered(OUTCOME);
        List<String> statuses = fixture.deliveryColumn(role, "d.status");
        assertThat(statuses).as("outcomes, with reasons " + fixture.deliveryColumn(role, "d.reason"))
                .containsExactly("synced", "synced");
        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, password, OUTCOME))).isTrue();
    }
}
