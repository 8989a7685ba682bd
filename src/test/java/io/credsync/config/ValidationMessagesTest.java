package io.credsync.config;

import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static io.credsync.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every check names the key it is about, and the variable when the value came from one. */
class ValidationMessagesTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}={1} is refused with: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            CREDSYNC_DATABASE_HOST              | db/x              | database.host: must be a host name or IP address, got db/x
            CREDSYNC_DATABASE_PORT              | 0                 | database.port: must be between 1 and 65535, got 0
            CREDSYNC_DATABASE_PORT              | 65536             | database.port: must be between 1 and 65535, got 65536
            CREDSYNC_DATABASE_PORT              | 99999999999999999 | database.port: must be between 1 and 65535, got 99999999999999999
            CREDSYNC_DATABASE_PORT              | 5432.0            | database.port: must be a whole number, got 5432.0
            CREDSYNC_DATABASE_NAME              | "  "              | database.name: must not be empty
            CREDSYNC_DATABASE_AUTH              | kerberos          | database.auth: must be password or iam, got kerberos
            CREDSYNC_DATABASE_SSL_MODE          | verify_full       | database.ssl_mode: must be one of disable, allow, prefer, require, verify-ca, verify-full, got verify_full
            CREDSYNC_DATABASE_CONNECT_TIMEOUT   | 10                | database.connect_timeout: must be a duration like 500ms, 10s, 5m, 1h or PT10S, got 10
            CREDSYNC_DATABASE_CONNECT_TIMEOUT   | 0s                | database.connect_timeout: must be more than zero, got 0s
            CREDSYNC_DATABASE_STARTUP_TIMEOUT   | 0s                | database.startup_timeout: must be more than zero, got 0s
            CREDSYNC_DATABASE_STARTUP_TIMEOUT   | forever           | database.startup_timeout: must be a duration like 500ms, 10s, 5m, 1h or PT10S, got forever
            CREDSYNC_DATABASE_APPLICATION_NAME  | café              | database.application_name: must be at most 63 printable ASCII characters, got café
            CREDSYNC_REPLICATION_SLOT           | Credsync          | replication.slot: must be 1 to 63 lower-case letters, digits or underscores (a PostgreSQL replication slot name), got Credsync
            CREDSYNC_REPLICATION_SLOT           | credsync-1        | replication.slot: must be 1 to 63 lower-case letters, digits or underscores
            CREDSYNC_REPLICATION_PUBLICATION    | 1pub              | replication.publication: must be 1 to 63 lower-case letters, digits or underscores, not starting with a digit, got 1pub
            CREDSYNC_REPLICATION_STATUS_INTERVAL| -1s               | replication.status_interval: must be a duration like
            CREDSYNC_REPLICATION_RECONNECT_MAX  | 500ms             | replication.reconnect_max: must be at least replication.reconnect_initial (1s), got 500ms
            CREDSYNC_REPLICATION_RECONNECT_INITIAL | 1m             | replication.reconnect_initial: must be at most replication.reconnect_max (10s), got 1m
            CREDSYNC_AWS_REGION                 | EU_WEST_1         | aws.region: must be a Region name like eu-west-1, got EU_WEST_1
            CREDSYNC_AWS_KMS_ENDPOINT           | localhost:8080    | aws.kms_endpoint: must be an http or https URL like http://localhost:4566, got localhost:8080
            CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT| ftp://x           | aws.secretsmanager_endpoint: must be an http or https URL
            CREDSYNC_SECRETS_NAME_TEMPLATE      | {prefix}{rol}     | secrets.name_template: unknown placeholder {rol}
            CREDSYNC_SECRETS_NAME_TEMPLATE      | {prefix}{database}| secrets.name_template: must contain {role}, or every role would share one secret
            CREDSYNC_SECRETS_NAME_TEMPLATE      | {role             | secrets.name_template: { at position 0 is not closed
            CREDSYNC_SECRETS_NAME_TEMPLATE      | db {role}         | secrets.name_template: contains ' ', which Secrets Manager does not allow in a secret name
            CREDSYNC_SECRETS_PREFIX             | a#b/              | secrets.prefix: contains '#'
            CREDSYNC_SECRETS_TAGS               | team              | secrets.tags: must be key=value pairs separated by commas, got team
            CREDSYNC_SECRETS_TAGS               | a=1,a=2           | secrets.tags: a is given twice
            CREDSYNC_SECRETS_TAGS               | aws:owner=me      | secrets.tags.aws:owner: the prefix aws: is reserved for AWS's own tags
            CREDSYNC_SECRETS_OVERRIDES          | app=              | secrets.overrides.app: must not be empty
            CREDSYNC_SECRETS_OVERRIDES          | app=a b           | secrets.overrides.app: contains ' '
            CREDSYNC_SECRETS_PORT               | -1                | secrets.port: must be between 1 and 65535, got -1
            CREDSYNC_SECRETS_ENGINE             | " "               | secrets.engine: must not be empty
            CREDSYNC_SECRETS_MAX_WRITES_PER_SECOND | -1             | secrets.max_writes_per_second: must be between 0 and 1000, got -1
            CREDSYNC_SECRETS_MAX_WRITES_PER_SECOND | 2.5            | secrets.max_writes_per_second: must be a whole number, got 2.5
            CREDSYNC_DELIVERY_RETRY_INITIAL     | 1.5s              | delivery.retry_initial: must be a duration like 500ms, 10s, 5m, 1h or PT10S, got 1.5s
            CREDSYNC_DELIVERY_RETRY_MAX         | 100ms             | delivery.retry_max: must be at least delivery.retry_initial (200ms), got 100ms
            CREDSYNC_DELIVERY_MAX_BATCH         | 10001             | delivery.max_batch: must be between 1 and 10000, got 10001
            CREDSYNC_DELIVERY_MAX_BATCH         | many              | delivery.max_batch: must be a whole number, got many
            CREDSYNC_DRIFT_INTERVAL             | 500ms             | drift.interval: must be at least 1s, got 500ms
            CREDSYNC_DRIFT_INTERVAL             | often             | drift.interval: must be a duration like
            CREDSYNC_DRIFT_ENABLED              | yes               | drift.enabled: must be true or false, got yes
            """)
    void aBadValueFromTheEnvironmentIsRefusedNamingItsKeyAndVariable(String variable, String value, String message) {
        assertThatThrownBy(() -> load(environment(variable, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message)
                .hasMessageEndingWith("(from environment variable " + variable + ")");
    }

    @Test
    void aBadValueFromTheFileIsRefusedNamingItsKeyAlone() throws Exception {
        Path file = write(dir, "c.yaml", "database:\n  port: 0\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("database.port: must be between 1 and 65535, got 0");
    }

    @Test
    void aMissingRequiredKeyIsNamedWithTheVariableThatSetsIt() {
        Map<String, String> env = minimalEnvironment();
        env.remove("CREDSYNC_DATABASE_USER");

        assertThatThrownBy(() -> load(env))
                .hasMessage("database.user: required; set it in the file or with CREDSYNC_DATABASE_USER");
    }

    @Test
    void aMissingRegionSaysWhereARegionCanComeFrom() {
        Map<String, String> env = minimalEnvironment();
        env.remove("AWS_REGION");

        assertThatThrownBy(() -> load(env))
                .hasMessage("aws.region: required; set it in the file, with CREDSYNC_AWS_REGION, or with AWS_REGION");
    }

    @Test
    void aTagInTheFileThatIsNotASingleValueIsNamedWithItsPath() throws Exception {
        Path file = write(dir, "c.yaml", "secrets:\n  tags:\n    team: [a, b]\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("secrets.tags.team: must be a single value");
    }

    @Test
    void aMapGivenAsAListIsRefused() throws Exception {
        Path file = write(dir, "c.yaml", "secrets:\n  overrides: [app]\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("secrets.overrides: must be a mapping of names to values");
    }
}
