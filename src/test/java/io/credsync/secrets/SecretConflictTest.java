package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.secrets.SecretConflict.Kind;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

class SecretConflictTest {

    private static final String NAME = "credsync/app/orders";

    @Test
    void aPlainSecretHasNoConflictEvenWithRotationSwitchedOff() {
        DescribeSecretResponse plain = DescribeSecretResponse.builder().name(NAME).owningService("")
                .rotationEnabled(false).build();

        assertThat(SecretConflict.of(NAME, plain)).isEmpty();
    }

    @Test
    void everyConflictIsFoundWithTheDeletionFirst() {
        DescribeSecretResponse all = DescribeSecretResponse.builder().owningService("rds").rotationEnabled(true)
                .deletedDate(Instant.parse("2030-01-02T03:04:05Z")).build();

        assertThat(SecretConflict.of(NAME, all)).extracting(SecretConflict::kind)
                .as("the deletion is the one no setting lifts, so it is reported first")
                .containsExactly(Kind.SCHEDULED_FOR_DELETION, Kind.OWNED_BY_SERVICE, Kind.ROTATION_ENABLED);
    }

    @Test
    void onlyOwnershipAndRotationAreLiftedAndOnlyForListedRoles() {
        SecretConflict owned = new SecretConflict(Kind.OWNED_BY_SERVICE, NAME, "rds");
        SecretConflict rotated = new SecretConflict(Kind.ROTATION_ENABLED, NAME, "");
        SecretConflict deleted = new SecretConflict(Kind.SCHEDULED_FOR_DELETION, NAME, "2030-01-02T03:04:05Z");

        assertThat(owned.allowedFor("app", Set.of("app"))).isTrue();
        assertThat(rotated.allowedFor("app", Set.of("app"))).isTrue();
        assertThat(deleted.allowedFor("app", Set.of("app"))).as("a deleted secret takes no writes").isFalse();
        assertThat(owned.allowedFor("other", Set.of("app"))).isFalse();
    }

    @Test
    void managedRotationIsNamedWhenNoRotationFunctionIs() {
        SecretConflict managed = SecretConflict.of(NAME, DescribeSecretResponse.builder().rotationEnabled(true).build())
                .get(0);

        assertThat(managed.problem()).isEqualTo("secret " + NAME + " has rotation enabled, so Secrets Manager's"
                + " managed rotation also writes it and changes the password");
        assertThat(managed.fix("app")).isEqualTo("turn rotation off (`aws secretsmanager cancel-rotate-secret"
                + " --secret-id " + NAME + "`) and rotate with `credsync rotate app` instead, or, to have credsync"
                + " write it all the same, add app to secrets.allow_conflicting_roles");
    }

    @Test
    void aRoleNameThatCouldForgeALogLineIsQuotedInTheFix() {
        SecretConflict owned = new SecretConflict(Kind.OWNED_BY_SERVICE, NAME, "rds");

        assertThat(owned.fix("app\nERROR forged")).contains("\"app\\u000aERROR forged\"").doesNotContain("\n");
    }
}
