package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Secrets that credsync must not write, with the real consumer process between a PostgreSQL
 * cluster, local-kms and moto, and real {@code ALTER ROLE} statements: a secret another service
 * owns or that has rotation enabled is left alone and the event is {@code failed} with a reason
 * naming the other writer, until the role is allowed in the configuration; a secret scheduled for
 * deletion fails the event with how to restore it, and after the restore {@code credsync replay}
 * delivers it. In the end every role's secret logs in with the role's final password.
 */
class SecretCoexistenceIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
    /** What another writer left in a secret before credsync came. */
    private static final String FOREIGN_VALUE = "{\"username\":\"someone\",\"password\":\"its-owners-password\"}";
    private static final Pattern REPLAY_HINT = Pattern.compile("`credsync replay (\\d+)` delivers this change$");

    private final OutputWatch outputs = new OutputWatch();
    private SyncFixture fixture;

    @AfterEach
    void noOutputHoldsAPassword() throws SQLException {
        if (fixture == null) {
            return;
        }
        try {
            outputs.assertNoPassword("its-owners-password");
        } finally {
            fixture.close();
        }
    }

    @Test
    void shouldRefuseAnRdsOwnedAndARotationEnabledSecretAndWriteThemOnceTheirRolesAreAllowed() throws Exception {
        fixture = SyncFixture.create("coexist");
        fixture.database().manage("coex\\_%");
        String owned = RoleStatements.uniqueName("coex_owned");
        String rotated = RoleStatements.uniqueName("coex_rotated");
        String plain = RoleStatements.uniqueName("coex_plain");
        SecretsManagerClient moto = MotoServer.shared().client();
        // moto takes OwningService from this tag, which is how it marks the secrets other services
        // make; real Secrets Manager reserves aws: tags for AWS and would refuse it from a client.
        moto.createSecret(r -> r.name(fixture.secretName(owned)).secretString(FOREIGN_VALUE)
                .tags(Tag.builder().key("aws:secretsmanager:owningService").value("rds").build()));
        moto.createSecret(r -> r.name(fixture.secretName(rotated)).secretString(FOREIGN_VALUE));
        // Rotation on a schedule, not now, so the value stays; moto needs no rotation function for that.
        moto.rotateSecret(r -> r.secretId(fixture.secretName(rotated))
                .rotationRules(rules -> rules.automaticallyAfterDays(30L)).rotateImmediately(false));
        int ownedVersions = versions(owned);
        int rotatedVersions = versions(rotated);
        ConsumerProcess refusing = start(Map.of());

        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            for (String role : List.of(owned, rotated, plain)) {
                RoleStatements.createRoleWithoutPassword(superuser, role);
                RoleStatements.alterPassword(superuser, role, password("refused-" + role));
            }
        }
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);

        assertThat(statuses(plain)).containsExactly("synced");
        assertLogsIn(fixture.secret(plain).orElseThrow());
        assertThat(statuses(owned)).containsExactly("failed");
        String ownedReason = reasons(owned).get(0);
        assertThat(ownedReason).startsWith("SecretOwnedByService: secret " + fixture.secretName(owned)
                + " is owned by rds").contains("add " + owned + " to secrets.allow_conflicting_roles");
        assertThat(replayHint(ownedReason)).isEqualTo(outboxIds(owned).get(0));
        assertThat(statuses(rotated)).containsExactly("failed");
        assertThat(reasons(rotated).get(0)).startsWith("SecretRotationEnabled: secret " + fixture.secretName(rotated)
                + " has rotation enabled").contains("cancel-rotate-secret");
        for (String role : List.of(owned, rotated)) {
            assertThat(moto.getSecretValue(r -> r.secretId(fixture.secretName(role))).secretString())
                    .as("the secret of " + role + " is untouched").isEqualTo(FOREIGN_VALUE);
        }
        assertThat(versions(owned)).as("no version was added").isEqualTo(ownedVersions);
        assertThat(versions(rotated)).isEqualTo(rotatedVersions);
        assertThat(refusing.terminate(Duration.ofSeconds(10))).isZero();

        ConsumerProcess allowing = start(Map.of("CREDSYNC_SECRETS_ALLOW_CONFLICTING_ROLES", owned + "," + rotated));
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            for (String role : List.of(owned, rotated, plain)) {
                RoleStatements.alterPassword(superuser, role, password("allowed-" + role));
            }
        }
        for (String role : List.of(owned, rotated, plain)) {
            JsonNode secret = fixture.awaitSecretPassword(role, "allowed-" + role, SYNC_TIMEOUT);
            assertThat(secret.path("username").asText()).isEqualTo(role);
            assertLogsIn(secret);
        }
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
        assertThat(statuses(owned)).containsExactly("failed", "synced");
        assertThat(statuses(rotated)).containsExactly("failed", "synced");
        assertThat(allowing.output()).as("writing despite another writer is said")
                .contains("writing it all the same, as secrets.allow_conflicting_roles lists role " + owned);
    }

    @Test
    void shouldFailAnEventForASecretScheduledForDeletionAndDeliverItByReplayOnceRestored() throws Exception {
        fixture = SyncFixture.create("coexist_deleted");
        fixture.database().manage("deleted\\_%");
        String role = RoleStatements.uniqueName("deleted");
        String name = fixture.secretName(role);
        SecretsManagerClient moto = MotoServer.shared().client();
        start(Map.of());
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("before-deletion-" + role));
            fixture.awaitSecretPassword(role, "before-deletion-" + role, SYNC_TIMEOUT);
            moto.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L));
            RoleStatements.alterPassword(superuser, role, password("while-deleted-" + role));
        }
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);

        assertThat(statuses(role)).containsExactly("synced", "failed");
        String reason = reasons(role).get(1);
        assertThat(reason).startsWith("SecretScheduledForDeletion: secret " + name + " is scheduled for deletion on ")
                .contains("restore it with `aws secretsmanager restore-secret --secret-id " + name + "`");
        long failed = outboxIds(role).get(1);
        assertThat(replayHint(reason)).as("the reason names the event to replay").isEqualTo(failed);

        moto.restoreSecret(r -> r.secretId(name));
        // moto, unlike Secrets Manager, would have taken a PutSecretValue while the secret was
        // scheduled for deletion: this shows that credsync did not send one.
        assertThat(fixture.secret(role).orElseThrow().path("password").asText())
                .isEqualTo("before-deletion-" + role);
        SyncFixture.CliRun replay = fixture.runCli("replay", Long.toString(failed));
        outputs.output(replay.output());
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).startsWith("replayed event " + failed + " as ");

        JsonNode secret = fixture.awaitSecretPassword(role, "while-deleted-" + role, SYNC_TIMEOUT);
        assertLogsIn(secret);
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
        assertThat(statuses(role)).containsExactly("synced", "failed", "synced");
    }

    private ConsumerProcess start(Map<String, String> settings) {
        return outputs.consumer(fixture.startConsumer(settings));
    }

    private String password(String value) {
        return outputs.password(value);
    }

    private static long replayHint(String reason) {
        Matcher hint = REPLAY_HINT.matcher(reason);
        assertThat(hint.find()).as("the reason ends with the replay command: " + reason).isTrue();
        return Long.parseLong(hint.group(1));
    }

    private int versions(String role) {
        return MotoServer.shared().client().listSecretVersionIds(r -> r.secretId(fixture.secretName(role)))
                .versions().size();
    }

    private void assertLogsIn(JsonNode secret) throws SQLException {
        assertThat(fixture.secretLogsIn(secret)).as("the secret of " + secret.path("username").asText()
                + " logs in").isTrue();
    }

    private List<String> statuses(String role) throws SQLException {
        return fixture.deliveryColumn(role, "d.status");
    }

    private List<String> reasons(String role) throws SQLException {
        return fixture.deliveryColumn(role, "coalesce(d.reason, '')");
    }

    private List<Long> outboxIds(String role) throws SQLException {
        return fixture.deliveryColumn(role, "d.outbox_id::text").stream().map(Long::valueOf).toList();
    }
}
