package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.aws.AwsClients;
import io.credsync.crypto.Password;
import io.credsync.outbox.EventId;
import io.credsync.testing.EmulatedAws;
import io.credsync.testing.FaultInjection;
import io.credsync.testing.FaultProxy;
import io.credsync.testing.MotoServer;
import io.credsync.testing.ProxyFault;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The writer when its secret disappears between {@code DescribeSecret} and the calls that
 * follow: moto restarted in the middle of a write (moto keeps secrets in memory, so a restart
 * forgets them), or an operator deleting the secret for good. The secret has gone, not the
 * request gone bad: the failure is transient, and the next attempt, describing afresh, creates
 * the secret. A secret scheduled for deletion meanwhile stays a permanent refusal (see
 * {@link SecretsManagerSecretWriterIT}).
 *
 * <p>A moto of its own, restarted by the tests, behind a {@link FaultProxy} that holds the
 * write's next call until the restart is done.
 */
class SecretVanishesMidWriteIT {

    private static final Duration HELD = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static MotoServer moto;
    private static FaultProxy proxy;
    private static SecretsManagerClient writerClient;
    private static SecretsManagerSecretWriter writer;
    private static ExecutorService background;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        proxy = FaultProxy.startPerRequest(moto.endpoint());
        writerClient = AwsClients.build(SecretsManagerClient.builder(), EmulatedAws.REGION, proxy.endpoint(),
                EmulatedAws.credentials());
        writer = new SecretsManagerSecretWriter(writerClient, null, null, Map.of(), Set.of());
        background = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (background != null) {
            background.shutdownNow();
            background.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (writerClient != null) {
            writerClient.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void aRestartOfSecretsManagerBetweenDescribeAndPutIsTransientAndTheNextAttemptCreatesTheSecret()
            throws Exception {
        String name = uniqueName();
        writer.write(update(name, "before-restart"));
        SecretUpdate update = update(name, "across-restart");

        SecretWriteException e = failureWhenHeldAcross("secretsmanager.PutSecretValue", update,
                () -> restart());

        assertThat(e.errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(e.isTransient()).as("the secret vanished; the event is still owed").isTrue();
        SecretWriteResult retried = writer.write(update);
        assertThat(retried.created()).as("the next attempt creates the secret").isTrue();
        assertThat(retried.versionId()).isEqualTo(update.eventId().toString());
        assertThat(currentPassword(name)).isEqualTo("across-restart");
    }

    @Test
    void aRestartBetweenDescribeAndGetSecretValueIsTransientToo() throws Exception {
        String name = uniqueName();
        writer.write(update(name, "before-restart"));
        // Another tool's newer version: the writer skips the read when the current version is its own.
        String ours = moto.client().getSecretValue(r -> r.secretId(name)).secretString();
        moto.client().putSecretValue(r -> r.secretId(name).secretString(ours.replace("}", ",\"note\":\"added later\"}")));
        SecretUpdate update = update(name, "across-restart-read");

        SecretWriteException e = failureWhenHeldAcross("secretsmanager.GetSecretValue", update,
                () -> restart());

        assertThat(e.isTransient()).isTrue();
        assertThat(writer.write(update).created()).isTrue();
        assertThat(currentPassword(name)).isEqualTo("across-restart-read");
    }

    @Test
    void aSecretDeletedForGoodBetweenDescribeAndPutIsCreatedAgainByTheNextAttempt() throws Exception {
        String name = uniqueName();
        writer.write(update(name, "before-delete"));
        SecretUpdate update = update(name, "after-delete");

        SecretWriteException e = failureWhenHeldAcross("secretsmanager.PutSecretValue", update,
                () -> moto.client().deleteSecret(r -> r.secretId(name).forceDeleteWithoutRecovery(true)));

        // As for any secret missing when an event comes: credsync creates it (the design's rule).
        assertThat(e.isTransient()).isTrue();
        assertThat(writer.write(update).created()).isTrue();
        assertThat(currentPassword(name)).isEqualTo("after-delete");
    }

    @Test
    void aSecretScheduledForDeletionBetweenDescribeAndPutIsStillRefusedForGood() throws Exception {
        String name = uniqueName();
        writer.write(update(name, "before-schedule"));
        SecretUpdate update = update(name, "after-schedule");

        // moto writes to a secret scheduled for deletion; Secrets Manager answers InvalidRequestException.
        SecretWriteException e = failureWhenHeldAcross(ProxyFault.holdThen(ProxyFault.awsError(400,
                "InvalidRequestException")), "secretsmanager.PutSecretValue", update,
                () -> moto.client().deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L)));

        // Someone meant to delete it: a write would hide that, and a restore is theirs to decide.
        assertThat(e.errorCode()).isEqualTo("SecretScheduledForDeletion");
        assertThat(e.isTransient()).isFalse();
    }

    /**
     * Writes {@code update} while {@code operation}'s next request is held, runs {@code meanwhile}
     * once it is, then lets the request go on.
     *
     * @return the write's failure
     * @throws AssertionError if the write succeeded
     */
    private static SecretWriteException failureWhenHeldAcross(String operation, SecretUpdate update,
            Runnable meanwhile) throws Exception {
        return failureWhenHeldAcross(ProxyFault.hold(), operation, update, meanwhile);
    }

    /** As the other, with {@code hold} deciding what becomes of the held request. */
    private static SecretWriteException failureWhenHeldAcross(ProxyFault.Hold hold, String operation,
            SecretUpdate update, Runnable meanwhile) throws Exception {
        FaultInjection injection = proxy.inject(operation, hold);
        Future<SecretWriteResult> write = background.submit(() -> writer.write(update));
        try {
            hold.awaitHeld(HELD);
            meanwhile.run();
        } finally {
            hold.release();
        }
        try {
            SecretWriteResult result = write.get(HELD.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the write succeeded: " + result);
        } catch (ExecutionException e) {
            assertThat(injection.isSpent()).isTrue();
            assertThat(e.getCause()).isInstanceOf(SecretWriteException.class);
            return (SecretWriteException) e.getCause();
        }
    }

    private static void restart() {
        moto.stop();
        moto.resume();
    }

    private static String currentPassword(String name) throws Exception {
        String value = moto.client().getSecretValue(r -> r.secretId(name)).secretString();
        return JSON.readTree(value).path("password").asText();
    }

    private static SecretUpdate update(String name, String password) {
        return new SecretUpdate(name, new EventId(UUID.randomUUID()), "postgres", "db.example.com", 5432, "orders",
                "app", Password.of(password));
    }

    private static String uniqueName() {
        return "it/restart/app-" + UUID.randomUUID();
    }
}
