package io.credsync.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.aws.AwsClients;
import io.credsync.crypto.Password;
import io.credsync.outbox.EventId;
import io.credsync.testing.EmulatedAws;
import io.credsync.testing.MotoServer;
import io.credsync.testing.PortAllocator;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The writer against moto's Secrets Manager, through a client built by the factory. */
class SecretsManagerSecretWriterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALLOWED_ROLE = "app_allowed";
    private static final String FOREIGN_VALUE = "{\"username\":\"app\",\"password\":\"set-by-its-owner\"}";

    private static SecretsManagerClient writerClient;
    private static SecretsManagerClient moto;
    private static SecretsManagerSecretWriter writer;

    @BeforeAll
    static void startMoto() {
        MotoServer server = MotoServer.shared();
        moto = server.client();
        writerClient = AwsClients.build(SecretsManagerClient.builder(), EmulatedAws.REGION, server.endpoint(),
                EmulatedAws.credentials());
        writer = new SecretsManagerSecretWriter(writerClient, "alias/credsync-it", "managed by credsync",
                Map.of("owner", "credsync", "env", "it"), Set.of(ALLOWED_ROLE));
    }

    @AfterAll
    static void closeClient() {
        if (writerClient != null) {
            writerClient.close();
        }
    }

    @Test
    void aMissingSecretIsCreatedWithDescriptionTagsKmsKeyAndTheRdsFields() throws Exception {
        SecretUpdate update = update(uniqueName(), "first-pw");

        SecretWriteResult result = writer.write(update);

        DescribeSecretResponse described = moto.describeSecret(r -> r.secretId(update.secretName()));
        assertThat(result).isEqualTo(new SecretWriteResult(described.arn(), update.eventId().toString(), true));
        assertThat(described.description()).isEqualTo("managed by credsync");
        assertThat(described.kmsKeyId()).isEqualTo("alias/credsync-it");
        assertThat(described.tags()).containsExactlyInAnyOrder(Tag.builder().key("owner").value("credsync").build(),
                Tag.builder().key("env").value("it").build());
        GetSecretValueResponse current = moto.getSecretValue(r -> r.secretId(update.secretName()));
        assertThat(current.versionId()).as("the event id is the version id").isEqualTo(update.eventId().toString());
        JsonNode value = JSON.readTree(current.secretString());
        assertThat(value.get("engine").asText()).isEqualTo("postgres");
        assertThat(value.get("host").asText()).isEqualTo("db.example.com");
        assertThat(value.get("port").isInt()).as("port is a JSON number, as RDS writes it").isTrue();
        assertThat(value.get("port").asInt()).isEqualTo(5432);
        assertThat(value.get("dbname").asText()).isEqualTo("orders");
        assertThat(value.get("username").asText()).isEqualTo("app");
        assertThat(value.get("password").asText()).isEqualTo("first-pw");
    }

    @Test
    void anExistingSecretKeepsItsForeignKeysAndGetsTheSixReplaced() throws Exception {
        String name = uniqueName();
        moto.createSecret(r -> r.name(name).description("made by terraform")
                .secretString("{\"proxy_host\":\"proxy.example.com\",\"password\":\"old\",\"port\":\"1\"}"));
        SecretUpdate update = update(name, "new-pw");

        SecretWriteResult result = writer.write(update);

        assertThat(result.created()).isFalse();
        JsonNode value = JSON.readTree(moto.getSecretValue(r -> r.secretId(name)).secretString());
        assertThat(value.get("proxy_host").asText()).isEqualTo("proxy.example.com");
        assertThat(value.get("password").asText()).isEqualTo("new-pw");
        assertThat(value.get("port").asInt()).isEqualTo(5432);
        assertThat(moto.describeSecret(r -> r.secretId(name)).description())
                .as("an existing secret's metadata is left to its owner").isEqualTo("made by terraform");
    }

    @Test
    void aRedeliveredEventMakesNoSecondVersion() throws Exception {
        SecretUpdate update = update(uniqueName(), "pw");
        SecretWriteResult first = writer.write(update);

        SecretWriteResult second = writer.write(update);

        assertThat(second.versionId()).isEqualTo(first.versionId());
        assertThat(versions(update.secretName())).containsExactly(update.eventId().toString());
    }

    @Test
    void aRedeliveryAfterAnotherToolChangedOtherKeysIsSuccessAndMakesNoVersion() throws Exception {
        SecretUpdate update = update(uniqueName(), "pw");
        writer.write(update);
        String current = moto.getSecretValue(r -> r.secretId(update.secretName())).secretString();
        String foreign = current.replace("}", ",\"note\":\"added later\"}");
        moto.putSecretValue(r -> r.secretId(update.secretName()).secretString(foreign));

        // The merged value now differs from the version this token made: Secrets Manager refuses
        // the put with ResourceExistsException, which means "already written".
        SecretWriteResult again = writer.write(update);

        assertThat(again.versionId()).isEqualTo(update.eventId().toString());
        assertThat(versions(update.secretName())).hasSize(2);
        assertThat(moto.getSecretValue(r -> r.secretId(update.secretName())).secretString()).isEqualTo(foreign);
    }

    @Test
    void twoEventsMakeTwoVersionsAndTheSecondIsCurrent() throws Exception {
        String name = uniqueName();
        SecretUpdate first = update(name, "pw-1");
        SecretUpdate second = update(name, "pw-2");

        writer.write(first);
        SecretWriteResult result = writer.write(second);

        assertThat(result.created()).isFalse();
        assertThat(versions(name)).containsExactlyInAnyOrder(first.eventId().toString(), second.eventId().toString());
        GetSecretValueResponse current = moto.getSecretValue(r -> r.secretId(name));
        assertThat(current.versionId()).isEqualTo(second.eventId().toString());
        assertThat(JSON.readTree(current.secretString()).get("password").asText()).isEqualTo("pw-2");
    }

    @Test
    void aStaleRedeliveryDoesNotMoveTheCurrentVersionBack() throws Exception {
        String name = uniqueName();
        SecretUpdate older = update(name, "pw-old");
        SecretUpdate newer = update(name, "pw-new");
        writer.write(older);
        writer.write(newer);

        // The merge yields exactly the older version's value, so the put is an ignored no-op.
        SecretWriteResult redelivered = writer.write(older);

        assertThat(redelivered.versionId()).isEqualTo(older.eventId().toString());
        GetSecretValueResponse current = moto.getSecretValue(r -> r.secretId(name));
        assertThat(current.versionId()).isEqualTo(newer.eventId().toString());
        assertThat(JSON.readTree(current.secretString()).get("password").asText()).isEqualTo("pw-new");
        assertThat(versions(name)).hasSize(2);
    }

    @Test
    void aRolesNextChangeSkipsTheReadWhileItsOwnVersionIsCurrentAndKeepsTheForeignKeys() throws Exception {
        String name = uniqueName();
        moto.createSecret(r -> r.name(name).secretString("{\"proxy_host\":\"proxy.example.com\",\"password\":\"old\"}"));
        try (CountingWriter counting = new CountingWriter()) {
            counting.writer.write(update(name, "pw-1"));
            String afterFirst = moto.getSecretValue(r -> r.secretId(name)).secretString();
            counting.operations.clear();

            SecretUpdate second = update(name, "pw-2");
            counting.writer.write(second);

            assertThat(counting.operations).containsExactly("DescribeSecret", "PutSecretValue");
            GetSecretValueResponse current = moto.getSecretValue(r -> r.secretId(name));
            assertThat(current.versionId()).isEqualTo(second.eventId().toString());
            assertThat(current.secretString()).as("the same value as a read and merge would make")
                    .isEqualTo(afterFirst.replace("pw-1", "pw-2"));
            assertThat(JSON.readTree(current.secretString()).get("proxy_host").asText()).isEqualTo("proxy.example.com");
        }
    }

    @Test
    void aVersionAnotherToolWroteSinceIsReadAndItsKeysKept() throws Exception {
        String name = uniqueName();
        try (CountingWriter counting = new CountingWriter()) {
            counting.writer.write(update(name, "pw-1"));
            String ours = moto.getSecretValue(r -> r.secretId(name)).secretString();
            moto.putSecretValue(r -> r.secretId(name).secretString(ours.replace("}", ",\"note\":\"added later\"}")));
            counting.operations.clear();

            counting.writer.write(update(name, "pw-2"));

            assertThat(counting.operations).containsExactly("DescribeSecret", "GetSecretValue", "PutSecretValue");
            JsonNode value = JSON.readTree(moto.getSecretValue(r -> r.secretId(name)).secretString());
            assertThat(value.get("note").asText()).isEqualTo("added later");
            assertThat(value.get("password").asText()).isEqualTo("pw-2");
        }
    }

    @Test
    void aWriteAfterARedeliveryThatFoundAnotherValueReadsTheSecretAgain() throws Exception {
        String name = uniqueName();
        try (CountingWriter counting = new CountingWriter()) {
            SecretUpdate first = update(name, "pw-1");
            counting.writer.write(first);
            String ours = moto.getSecretValue(r -> r.secretId(name)).secretString();
            moto.putSecretValue(r -> r.secretId(name).secretString(ours.replace("}", ",\"note\":\"added later\"}")));
            counting.writer.write(first);
            counting.operations.clear();

            counting.writer.write(update(name, "pw-2"));

            assertThat(counting.operations).containsExactly("DescribeSecret", "GetSecretValue", "PutSecretValue");
            assertThat(JSON.readTree(moto.getSecretValue(r -> r.secretId(name)).secretString()).get("note").asText())
                    .isEqualTo("added later");
        }
    }

    @Test
    void aSecretWithoutAValueGetsItsFirstVersion() throws Exception {
        String name = uniqueName();
        moto.createSecret(r -> r.name(name));
        SecretUpdate update = update(name, "pw");

        SecretWriteResult result = writer.write(update);

        assertThat(result.created()).isFalse();
        assertThat(moto.getSecretValue(r -> r.secretId(name)).versionId()).isEqualTo(update.eventId().toString());
    }

    @Test
    void aSecretScheduledForDeletionIsRefusedWithHowToRestoreItAndStaysUntouched() {
        String name = uniqueName();
        moto.createSecret(r -> r.name(name).secretString(FOREIGN_VALUE));
        moto.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L));
        SecretUpdate update = update(name, "pw-deleted-secret");

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update));

        assertThat(e.errorCode()).isEqualTo("SecretScheduledForDeletion");
        assertThat(e.isTransient()).as("retrying cannot bring back a deleted secret").isFalse();
        assertThat(e.getMessage()).contains("secret " + name + " is scheduled for deletion on ",
                "`aws secretsmanager restore-secret --secret-id " + name + "`");
        assertNoPassword(e, "pw-deleted-secret");
        // moto (unlike Secrets Manager) accepts a PutSecretValue on a deleted secret: only
        // credsync's own check keeps it untouched here.
        moto.restoreSecret(r -> r.secretId(name));
        assertThat(moto.getSecretValue(r -> r.secretId(name)).secretString()).isEqualTo(FOREIGN_VALUE);
        assertThat(versions(name)).hasSize(1);
    }

    @Test
    void aSecretOwnedByAnotherServiceIsRefusedNamingItAndStaysUntouched() {
        String name = uniqueName();
        createOwnedByRds(name);
        SecretUpdate update = update(name, "pw-owned-secret");

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update));

        assertThat(e.errorCode()).isEqualTo("SecretOwnedByService");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("secret " + name + " is owned by rds");
        assertNoPassword(e, "pw-owned-secret");
        assertThat(moto.getSecretValue(r -> r.secretId(name)).secretString()).isEqualTo(FOREIGN_VALUE);
        assertThat(versions(name)).hasSize(1);
    }

    @Test
    void aSecretWithRotationEnabledIsRefusedAndStaysUntouched() {
        String name = uniqueName();
        createWithRotation(name);
        SecretUpdate update = update(name, "pw-rotated-secret");

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update));

        assertThat(e.errorCode()).isEqualTo("SecretRotationEnabled");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("secret " + name + " has rotation enabled");
        assertNoPassword(e, "pw-rotated-secret");
        assertThat(moto.getSecretValue(r -> r.secretId(name)).secretString()).isEqualTo(FOREIGN_VALUE);
    }

    @Test
    void anAllowedRolesOwnedAndRotatedSecretsAreWrittenKeepingTheirOtherKeys() throws Exception {
        String owned = uniqueName();
        String rotated = uniqueName();
        createOwnedByRds(owned);
        createWithRotation(rotated);

        writer.write(update(owned, "pw-allowed-owned", ALLOWED_ROLE));
        writer.write(update(rotated, "pw-allowed-rotated", ALLOWED_ROLE));

        assertThat(JSON.readTree(moto.getSecretValue(r -> r.secretId(owned)).secretString()).get("password").asText())
                .isEqualTo("pw-allowed-owned");
        assertThat(JSON.readTree(moto.getSecretValue(r -> r.secretId(rotated)).secretString()).get("password")
                .asText()).isEqualTo("pw-allowed-rotated");
    }

    /**
     * A secret as RDS makes one for a managed master password. moto derives OwningService from this
     * tag; real Secrets Manager reserves aws: tags for AWS and would refuse it from a client.
     */
    private static void createOwnedByRds(String name) {
        moto.createSecret(r -> r.name(name).secretString(FOREIGN_VALUE)
                .tags(Tag.builder().key("aws:secretsmanager:owningService").value("rds").build()));
    }

    /** Rotation on a schedule, not now, so that the value stays; moto needs no rotation function for it. */
    private static void createWithRotation(String name) {
        moto.createSecret(r -> r.name(name).secretString(FOREIGN_VALUE));
        moto.rotateSecret(r -> r.secretId(name).rotationRules(rules -> rules.automaticallyAfterDays(30L))
                .rotateImmediately(false));
    }

    @Test
    void aSecretThatIsNotAJsonObjectIsAPermanentFailureAndStaysUntouched() {
        String name = uniqueName();
        moto.createSecret(r -> r.name(name).secretString("plain-old-value"));
        SecretUpdate update = update(name, "pw-foreign-format");

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update));

        assertThat(e.errorCode()).isEqualTo(SecretWriteException.SECRET_NOT_JSON_OBJECT);
        assertThat(e.isTransient()).isFalse();
        assertThat(moto.getSecretValue(r -> r.secretId(name)).secretString()).isEqualTo("plain-old-value");
        assertThat(versions(name)).hasSize(1);
        assertNoPassword(e, "pw-foreign-format");
        assertNoPassword(e, "plain-old-value");
    }

    @Test
    void anUnreachableEndpointIsATransientFailure() {
        // Nothing listens on a port just handed out free: the connection is refused, as with moto stopped.
        URI closed = URI.create("http://127.0.0.1:" + PortAllocator.freePort());
        try (SecretsManagerClient unreachable = AwsClients.build(SecretsManagerClient.builder(), EmulatedAws.REGION, closed,
                EmulatedAws.credentials())) {
            SecretsManagerSecretWriter offline = new SecretsManagerSecretWriter(unreachable, null, null, Map.of(),
                    Set.of());
            SecretUpdate update = update(uniqueName(), "pw-unreachable");

            long start = System.nanoTime();
            SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> offline.write(update));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(e.isTransient()).isTrue();
            assertThat(e.errorCode()).isEqualTo("SdkClientException");
            assertThat(millis).as("bounded by the API call time-out").isLessThan(15_000);
            assertNoPassword(e, "pw-unreachable");
        }
    }

    /** A writer of its own, whose client notes the name of every operation it calls. */
    private static final class CountingWriter implements AutoCloseable {
        final List<String> operations = new CopyOnWriteArrayList<>();
        final SecretsManagerClient client = AwsClients.build(SecretsManagerClient.builder(), EmulatedAws.REGION,
                MotoServer.shared().endpoint(), EmulatedAws.credentials(), List.of(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }));
        final SecretsManagerSecretWriter writer = new SecretsManagerSecretWriter(client, null, null, Map.of(), Set.of());

        @Override
        public void close() {
            client.close();
        }
    }

    private static SecretUpdate update(String name, String password) {
        return update(name, password, "app");
    }

    private static SecretUpdate update(String name, String password, String role) {
        return new SecretUpdate(name, new EventId(UUID.randomUUID()), "postgres", "db.example.com", 5432, "orders",
                role, Password.of(password));
    }

    private static String uniqueName() {
        return "it/orders/app-" + UUID.randomUUID();
    }

    private static List<String> versions(String name) {
        return moto.listSecretVersionIds(r -> r.secretId(name)).versions().stream()
                .map(SecretVersionsListEntry::versionId).toList();
    }

    /** The password is in no message, cause or suppressed exception, nor in their toString. */
    private static void assertNoPassword(Throwable thrown, String password) {
        List<Throwable> seen = new ArrayList<>();
        List<Throwable> pending = new ArrayList<>(List.of(thrown));
        while (!pending.isEmpty()) {
            Throwable t = pending.remove(pending.size() - 1);
            if (seen.contains(t)) {
                continue;
            }
            seen.add(t);
            assertThat(String.valueOf(t.getMessage())).doesNotContain(password);
            assertThat(t.toString()).doesNotContain(password);
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            pending.addAll(List.of(t.getSuppressed()));
        }
    }
}
