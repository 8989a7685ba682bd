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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * What becomes of a password change when one AWS call goes wrong in one particular way, with a
 * real consumer, a real database and real {@code ALTER ROLE}s, the fault aimed at a single
 * operation by a {@link FaultProxy} in front of each emulator: every way a call can fail without
 * the service having judged the request (the connection dropped before or after the service acted,
 * an answer cut short, an error page that is not AWS's, 5xx, throttling, an AWS code credsync does
 * not know) ends {@code synced}, after retries; only an AWS error code that judges the request or
 * the secret or the key ends {@code failed}, with that code in the reason.
 *
 * <p>At least once: a change must never be lost to a blip. An unknown code is retried rather than
 * recorded as failed, so that a new transient code, or an emulator's or proxy's error page, costs
 * lag (visible in metrics and logs) rather than a lost password change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsFaultOutcomesIT {

    private static final Duration OUTCOME = Duration.ofSeconds(60);
    private static final String PUT = "secretsmanager.PutSecretValue";
    private static final String CREATE = "secretsmanager.CreateSecret";
    private static final String DESCRIBE = "secretsmanager.DescribeSecret";
    private static final String GET = "secretsmanager.GetSecretValue";
    private static final String DECRYPT = "TrentService.Decrypt";
    /** Each SDK attempt of one call (AwsClients.MAX_ATTEMPTS): so that the fault outlasts the SDK's own retries. */
    private static final int EVERY_SDK_ATTEMPT = 3;

    private final OutputWatch outputs = new OutputWatch();
    private SyncFixture fixture;
    private FaultProxy secretsManager;
    private FaultProxy kms;
    private ConsumerProcess consumer;

    @BeforeAll
    void startConsumerBehindProxies() throws Exception {
        fixture = SyncFixture.create("outcomes");
        fixture.database().manage("outcome\\_%");
        secretsManager = FaultProxy.startPerRequest(MotoServer.shared().endpoint());
        kms = FaultProxy.startPerRequest(LocalKms.shared().endpoint());
        consumer = outputs.consumer(fixture.startConsumer(Map.of(
                "CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT", secretsManager.endpoint().toString(),
                "CREDSYNC_AWS_KMS_ENDPOINT", kms.endpoint().toString())));
    }

    @AfterAll
    void stop() throws SQLException {
        try {
            outputs.assertNoPassword("\"password\"");
        } finally {
            if (fixture != null) {
                fixture.close();
            }
            if (secretsManager != null) {
                secretsManager.close();
            }
            if (kms != null) {
                kms.close();
            }
        }
    }

    /**
     * A fault on {@code times} requests of {@code operation} (the proxy in front of KMS for a
     * {@code TrentService} operation, else the one in front of Secrets Manager).
     *
     * @param shownCode the code the consumer's retry log line names, or null not to check it
     */
    record Case(String operation, ProxyFault fault, int times, String shownCode) {

        boolean atKms() {
            return operation.startsWith("TrentService.");
        }

        @Override
        public String toString() {
            return fault + " x" + times + " on " + operation;
        }
    }

    static Stream<Arguments> transientFaults() {
        String html404 = "<html><body><h1>404 Not Found</h1></body></html>";
        return Stream.of(
                // Secrets Manager: no answer, or half of one.
                new Case(PUT, ProxyFault.dropRequest(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                new Case(PUT, ProxyFault.dropAnswer(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                new Case(PUT, ProxyFault.truncateAnswer(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                new Case(DESCRIBE, ProxyFault.dropRequest(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                new Case(GET, ProxyFault.truncateAnswer(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                // Secrets Manager: answers that are not a verdict on the request.
                new Case(PUT, ProxyFault.awsError(500, "InternalServiceError"), EVERY_SDK_ATTEMPT,
                        "InternalServiceError"),
                new Case(PUT, ProxyFault.awsError(400, "ThrottlingException"), EVERY_SDK_ATTEMPT,
                        "ThrottlingException"),
                new Case(PUT, ProxyFault.foreignAnswer(429, "text/plain", "Too Many Requests"), EVERY_SDK_ATTEMPT,
                        "HTTP_429"),
                new Case(DESCRIBE, ProxyFault.foreignAnswer(503, "text/html", "<html>Service Unavailable</html>"),
                        EVERY_SDK_ATTEMPT, "HTTP_503"),
                new Case(DESCRIBE, ProxyFault.foreignAnswer(502, "text/plain", "Bad Gateway"), EVERY_SDK_ATTEMPT,
                        "HTTP_502"),
                new Case(DESCRIBE, ProxyFault.foreignAnswer(404, "text/html", html404), 1, "HTTP_404"),
                new Case(PUT, ProxyFault.foreignAnswer(403, "text/html", "<html>Forbidden</html>"), 1, "HTTP_403"),
                new Case(PUT, ProxyFault.awsError(400, "SomeCodeCredsyncDoesNotKnow"), 1,
                        "SomeCodeCredsyncDoesNotKnow"),
                // A quota (the versions of one secret) that clears by itself: not a verdict on the request.
                new Case(PUT, ProxyFault.awsError(400, "LimitExceededException"), 1, "LimitExceededException"),
                new Case(GET, ProxyFault.awsError(400, "ExpiredTokenException"), 1, "ExpiredTokenException"),
                new Case(GET, ProxyFault.foreignAnswer(200, "application/x-amz-json-1.1", "{}"), 1,
                        "IncompleteAnswer"),
                new Case(CREATE, ProxyFault.dropRequest(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                // KMS.
                new Case(DECRYPT, ProxyFault.dropRequest(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                new Case(DECRYPT, ProxyFault.truncateAnswer(), EVERY_SDK_ATTEMPT, "SdkClientException"),
                new Case(DECRYPT, ProxyFault.awsError(500, "KMSInternalException"), EVERY_SDK_ATTEMPT,
                        "KMSInternalException"),
                new Case(DECRYPT, ProxyFault.foreignAnswer(404, "text/html", html404), 1, "HTTP_404"),
                new Case(DECRYPT, ProxyFault.awsError(400, "SomeCodeCredsyncDoesNotKnow"), 1,
                        "SomeCodeCredsyncDoesNotKnow"),
                new Case(DECRYPT, ProxyFault.foreignAnswer(200, "application/x-amz-json-1.1", ""), 1,
                        "IncompleteAnswer"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFaults")
    void aTransientFaultEndsSynced(Case fault) throws Exception {
        String role = roleWithSyncedSecret(fault.operation().equals(CREATE));
        if (fault.operation().equals(GET)) {
            writtenByAnotherTool(role);
        }
        FaultInjection injection = proxyOf(fault).inject(fault.operation(), fault.fault(), fault.times());

        String password = changePassword(role, "after-" + role);

        assertThat(outcomes(role)).as("the change is delivered, not failed; reasons "
                + fixture.deliveryColumn(role, "d.reason")).last().isEqualTo("synced");
        assertThat(injection.applied()).as("the fault hit every request it was aimed at").isEqualTo(fault.times());
        assertThat(fixture.secretLogsIn(fixture.awaitSecretPassword(role, password, OUTCOME))).isTrue();
        if (fault.shownCode() != null) {
            assertThat(consumer.output()).as("the consumer says what it retries").contains(
                    (fault.atKms() ? "KMS" : "Secrets Manager") + " answered " + fault.shownCode() + "; retrying in");
        }
    }

    static Stream<Arguments> permanentFaults() {
        return Stream.of(
                Arguments.of(new Case(PUT, ProxyFault.awsError(400, "AccessDeniedException"), 1, null),
                        "AccessDeniedException"),
                Arguments.of(new Case(DESCRIBE, ProxyFault.awsError(400, "AccessDeniedException"), 1, null),
                        "AccessDeniedException"),
                Arguments.of(new Case(PUT, ProxyFault.awsError(400, "InvalidParameterException"), 1, null),
                        "InvalidParameterException"),
                Arguments.of(new Case(PUT, ProxyFault.awsError(400, "EncryptionFailure"), 1, null),
                        "EncryptionFailure"),
                Arguments.of(new Case(DECRYPT, ProxyFault.awsError(400, "IncorrectKeyException"), 1, null),
                        "BAD_CONTENT_KEY"),
                Arguments.of(new Case(DECRYPT, ProxyFault.awsError(400, "AccessDeniedException"), 1, null),
                        "ACCESS_DENIED"),
                Arguments.of(new Case(DECRYPT, ProxyFault.awsError(400, "DisabledException"), 1, null),
                        "KEY_UNUSABLE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("permanentFaults")
    void aPermanentAwsErrorCodeEndsFailedWithThatCode(Case fault, String reasonStart) throws Exception {
        String role = roleWithSyncedSecret(false);
        FaultInjection injection = proxyOf(fault).inject(fault.operation(), fault.fault(), fault.times());

        changePassword(role, "refused-" + role);

        assertThat(outcomes(role)).last().isEqualTo("failed");
        assertThat(injection.applied()).isEqualTo(1);
        assertThat(fixture.deliveryColumn(role, "d.reason")).last().asString().startsWith(reasonStart);
    }

    private FaultProxy proxyOf(Case fault) {
        return fault.atKms() ? kms : secretsManager;
    }

    /**
     * A new managed role whose first password is synced already (so that its secret exists), or,
     * with {@code noSecretYet}, a role without a password (so that the next change creates it).
     */
    private String roleWithSyncedSecret(boolean noSecretYet) throws Exception {
        String role = RoleStatements.uniqueName("outcome");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            if (noSecretYet) {
                RoleStatements.createRoleWithoutPassword(superuser, role);
                return role;
            }
            RoleStatements.createRole(superuser, role, outputs.password("first-" + role));
        }
        assertThat(outcomes(role)).containsExactly("synced");
        return role;
    }

    /**
     * Makes the role's current secret version another tool's (a key added, the password kept), so
     * that the writer must read it: it skips GetSecretValue when the current version is its own.
     */
    private void writtenByAnotherTool(String role) {
        SecretsManagerClient moto = MotoServer.shared().client();
        String name = fixture.secretName(role);
        String ours = moto.getSecretValue(r -> r.secretId(name)).secretString();
        moto.putSecretValue(r -> r.secretId(name).secretString(ours.replace("}", ",\"note\":\"added later\"}")));
    }

    private String changePassword(String role, String password) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.alterPassword(superuser, role, SecretScan.password(outputs.password(password)));
        }
        return password;
    }

    /** The outcome of each of the role's events, in order, once every event has one. */
    private List<String> outcomes(String role) throws SQLException, InterruptedException {
        fixture.awaitEveryEventDelivered(OUTCOME);
        return fixture.deliveryColumn(role, "d.status");
    }
}
