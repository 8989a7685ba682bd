package io.credsync.config;

import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static io.credsync.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.secrets.SecretNamer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsConfigTest {

    @TempDir
    Path dir;

    @Test
    void aRoleWithAnOverrideGetsItsOwnNameAndTheOthersTheTemplates() throws Exception {
        SecretsConfig secrets = load(environment("CREDSYNC_SECRETS_OVERRIDES", "app=prod/app-db, report = prod/report,"))
                .secrets();

        assertThat(secrets.overrides()).containsExactly(Map.entry("app", "prod/app-db"), Map.entry("report", "prod/report"));
        assertThat(SecretNamer.of(secrets).nameFor("appdb", "app")).isEqualTo("prod/app-db");
        assertThat(SecretNamer.of(secrets).nameFor("appdb", "billing")).isEqualTo("credsync/appdb/billing");
    }

    @Test
    void theFilesMapsKeepTheirOrder() throws Exception {
        Path file = write(dir, "c.yaml", "secrets:\n  tags:\n    z: 1\n    a: two words\n  overrides:\n    app: x/app\n");

        SecretsConfig secrets = CredsyncConfig.load(file, minimalEnvironment()).secrets();

        assertThat(secrets.tags()).containsExactly(Map.entry("z", "1"), Map.entry("a", "two words"));
        assertThat(secrets.overrides()).containsExactly(Map.entry("app", "x/app"));
    }

    @Test
    void theSecretsHostAndPortFollowTheDatabasesUnlessSet() throws Exception {
        SecretsConfig followed = load(environment("CREDSYNC_DATABASE_HOST", "db.internal",
                "CREDSYNC_DATABASE_PORT", "6432")).secrets();
        SecretsConfig own = load(environment("CREDSYNC_DATABASE_HOST", "db.internal",
                "CREDSYNC_SECRETS_HOST", "proxy.example.com", "CREDSYNC_SECRETS_PORT", "5433")).secrets();

        assertThat(followed.host()).isEqualTo("db.internal");
        assertThat(followed.port()).isEqualTo(6432);
        assertThat(own.host()).isEqualTo("proxy.example.com");
        assertThat(own.port()).isEqualTo(5433);
    }

    @Test
    void anEmptyPrefixIsAllowedInTheFile() throws Exception {
        Path file = write(dir, "c.yaml", "secrets:\n  prefix: ''\n");

        assertThat(SecretNamer.of(CredsyncConfig.load(file, minimalEnvironment()).secrets()).nameFor("appdb", "app"))
                .isEqualTo("appdb/app");
    }

    @Test
    void theKmsKeyIsOptional() throws Exception {
        assertThat(load(environment("CREDSYNC_SECRETS_KMS_KEY_ID", "alias/credsync")).secrets().kmsKeyId())
                .contains("alias/credsync");
    }

    @Test
    void theMapsCannotBeChangedAfterLoading() throws Exception {
        SecretsConfig secrets = load(environment("CREDSYNC_SECRETS_TAGS", "a=1")).secrets();

        assertThatThrownBy(() -> secrets.tags().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> secrets.overrides().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void moreThanFiftyTagsAreRefused() {
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            tags.append("t").append(i).append("=v,");
        }

        assertThatThrownBy(() -> load(environment("CREDSYNC_SECRETS_TAGS", tags.toString())))
                .hasMessageStartingWith("secrets.tags: at most 50 tags, got 51");
    }

    @Test
    void rolesAllowedToConflictComeFromTheFilesListOrTheEnvironmentWhichReplacesIt() throws Exception {
        Path file = write(dir, "c.yaml", "secrets:\n  allow_conflicting_roles:\n    - app_master\n    - report\n");

        SecretsConfig fromFile = CredsyncConfig.load(file, minimalEnvironment()).secrets();
        Map<String, String> env = minimalEnvironment();
        env.put("CREDSYNC_SECRETS_ALLOW_CONFLICTING_ROLES", " billing , app_master,");
        SecretsConfig fromEnvironment = CredsyncConfig.load(file, env).secrets();

        assertThat(fromFile.allowConflictingRoles()).containsExactly("app_master", "report");
        assertThat(fromEnvironment.allowConflictingRoles()).containsExactly("billing", "app_master");
        assertThat(load(minimalEnvironment()).secrets().allowConflictingRoles()).as("none by default").isEmpty();
        assertThatThrownBy(() -> fromFile.allowConflictingRoles().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theWriteCeilingIsTenASecondByDefaultAndZeroMeansNoLimit() throws Exception {
        assertThat(load(minimalEnvironment()).secrets().maxWritesPerSecond()).isEqualTo(10);
        assertThat(load(environment("CREDSYNC_SECRETS_MAX_WRITES_PER_SECOND", "0")).secrets().maxWritesPerSecond())
                .isZero();
        assertThat(CredsyncConfig.load(write(dir, "w.yaml", "secrets:\n  max_writes_per_second: 25\n"),
                minimalEnvironment()).secrets().maxWritesPerSecond()).isEqualTo(25);
        assertThatThrownBy(() -> load(environment("CREDSYNC_SECRETS_MAX_WRITES_PER_SECOND", "1001")))
                .hasMessageStartingWith("secrets.max_writes_per_second: must be between 0 and 1000, got 1001");
    }

    @Test
    void aBadListOfRolesAllowedToConflictIsRefusedNamingTheKey() throws Exception {
        Path scalar = write(dir, "scalar.yaml", "secrets:\n  allow_conflicting_roles: app\n");
        Path empty = write(dir, "empty.yaml", "secrets:\n  allow_conflicting_roles: ['']\n");
        Path nested = write(dir, "nested.yaml", "secrets:\n  allow_conflicting_roles: [app, [x]]\n");

        assertThatThrownBy(() -> CredsyncConfig.load(scalar, minimalEnvironment()))
                .hasMessageStartingWith("secrets.allow_conflicting_roles: must be a list");
        assertThatThrownBy(() -> CredsyncConfig.load(empty, minimalEnvironment()))
                .hasMessage("secrets.allow_conflicting_roles: an entry is empty; each must be a role name");
        assertThatThrownBy(() -> CredsyncConfig.load(nested, minimalEnvironment()))
                .hasMessage("secrets.allow_conflicting_roles: entry 2 must be a single value");
        assertThatThrownBy(() -> load(environment("CREDSYNC_SECRETS_ALLOW_CONFLICTING_ROLES", "app,app")))
                .hasMessage("secrets.allow_conflicting_roles: app is given twice"
                        + " (from environment variable CREDSYNC_SECRETS_ALLOW_CONFLICTING_ROLES)");
        assertThatThrownBy(() -> load(environment("CREDSYNC_SECRETS_ALLOW_CONFLICTING_ROLES", "a".repeat(64))))
                .hasMessageContaining("is longer than 63 bytes, PostgreSQL's limit for a role name");
    }
}
