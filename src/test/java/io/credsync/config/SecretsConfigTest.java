package io.credsync.config;

import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static io.credsync.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(secrets.secretName("appdb", "app")).isEqualTo("prod/app-db");
        assertThat(secrets.secretName("appdb", "billing")).isEqualTo("credsync/appdb/billing");
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

        assertThat(CredsyncConfig.load(file, minimalEnvironment()).secrets().secretName("appdb", "app"))
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
}
