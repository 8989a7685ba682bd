package io.credsync.config;

import static io.credsync.config.ConfigFixtures.PASSWORD;
import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static io.credsync.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.config.DatabaseConfig.Auth;
import io.credsync.config.DatabaseConfig.SslMode;
import io.credsync.connection.PgConnector;
import io.credsync.secrets.SecretNamer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

class CredsyncConfigTest {
    private static final Path EXAMPLE = Path.of("config/credsync.yaml");

    @TempDir
    Path dir;

    @Test
    void everyKeyHasItsDocumentedDefaultWhenOnlyTheRequiredOnesAreSet() throws Exception {
        CredsyncConfig config = load(minimalEnvironment());

        DatabaseConfig db = config.database();
        assertThat(db.host()).isEqualTo("localhost");
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.name()).isEqualTo("appdb");
        assertThat(db.user()).isEqualTo("credsync");
        assertThat(db.passwordEnv()).contains("CREDSYNC_DB_PASSWORD");
        assertThat(db.passwordFile()).isEmpty();
        assertThat(db.password().orElseThrow().reveal()).isEqualTo(PASSWORD);
        assertThat(db.auth()).isEqualTo(Auth.PASSWORD);
        assertThat(db.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(db.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(db.startupTimeout()).as("database.startup_timeout").isEqualTo(Duration.ofMinutes(5));
        assertThat(db.applicationName()).isEqualTo("credsync");
        assertThat(db.databases()).as("every database of the cluster").isEqualTo(DatabaseScope.ALL);

        assertThat(config.replication()).isEqualTo(new ReplicationConfig("credsync", "credsync_outbox",
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(10)));
        assertThat(config.aws()).isEqualTo(new AwsConfig(Region.EU_WEST_1, Optional.empty(), Optional.empty()));

        SecretsConfig secrets = config.secrets();
        assertThat(secrets.nameTemplate()).hasToString("{prefix}{database}/{role}");
        assertThat(secrets.prefix()).isEqualTo("credsync/");
        assertThat(secrets.kmsKeyId()).isEmpty();
        assertThat(secrets.description()).isEqualTo("Managed by credsync: kept in step with the database role's password");
        assertThat(secrets.tags()).isEmpty();
        assertThat(secrets.engine()).isEqualTo("postgres");
        assertThat(secrets.host()).as("defaults to database.host").isEqualTo("localhost");
        assertThat(secrets.port()).as("defaults to database.port").isEqualTo(5432);
        assertThat(secrets.overrides()).isEmpty();
        assertThat(SecretNamer.of(secrets).nameFor("appdb", "app")).isEqualTo("credsync/appdb/app");

        assertThat(config.delivery()).isEqualTo(new DeliveryConfig(Duration.ofMillis(200), Duration.ofSeconds(30), 1000,
                VerifyMode.REQUIRED, 4));
    }

    @Test
    void theExampleFileLoadsAsItIsWithOnlyThePasswordInTheEnvironment() throws Exception {
        CredsyncConfig config = CredsyncConfig.load(EXAMPLE, Map.of("CREDSYNC_DB_PASSWORD", PASSWORD));

        assertThat(config.database().name()).isEqualTo("postgres");
        assertThat(config.database().user()).isEqualTo("credsync");
        assertThat(config.aws().region()).isEqualTo(Region.US_EAST_1);
        assertThat(config.secrets().tags()).containsEntry("managed-by", "credsync");
        assertThat(config.secrets().overrides()).as("an overrides: with only comments is empty").isEmpty();
        assertThat(config).as("the example states the defaults it documents")
                .isEqualTo(withTags(CredsyncConfig.load(null, environment(
                        "CREDSYNC_DATABASE_NAME", "postgres", "AWS_REGION", "us-east-1")), config.secrets().tags()));
    }

    private static CredsyncConfig withTags(CredsyncConfig c, Map<String, String> tags) {
        SecretsConfig s = c.secrets();
        return new CredsyncConfig(c.database(), c.replication(), c.aws(), new SecretsConfig(s.nameTemplate(),
                s.prefix(), s.kmsKeyId(), s.description(), tags, s.engine(), s.host(), s.port(), s.overrides(),
                s.allowConflictingRoles(), s.maxWritesPerSecond()),
                c.delivery(), c.metrics(), c.drift());
    }

    @Test
    void theExampleFileDocumentsEveryKeyAndItsEnvironmentVariable() throws IOException {
        String example = Files.readString(EXAMPLE);
        Map<String, List<String>> sections = Map.of("database", DatabaseConfig.KEYS,
                "replication", ReplicationConfig.KEYS, "aws", AwsConfig.KEYS, "secrets", SecretsConfig.KEYS,
                "delivery", DeliveryConfig.KEYS, "metrics", MetricsConfig.KEYS,
                "drift", DriftConfig.KEYS);
        sections.forEach((section, keys) -> {
            assertThat(example).contains(section + ":\n");
            for (String key : keys) {
                assertThat(example).as(section + "." + key).containsPattern("(?m)^  #?" + key + ":");
                assertThat(example).contains("CREDSYNC_" + section.toUpperCase() + "_" + key.toUpperCase());
            }
        });
    }

    @Test
    void databasesIsAllOrAListOfNamesFromTheFileOrTheEnvironment() throws Exception {
        Path list = write(dir, "list.yaml", "database:\n  databases: [appdb, reports]\n");
        Path all = write(dir, "all.yaml", "database:\n  databases: all\n");
        Path mixed = write(dir, "mixed.yaml", "database:\n  databases: [all, reports]\n");

        assertThat(CredsyncConfig.load(list, minimalEnvironment()).database().databases())
                .isEqualTo(DatabaseScope.of(List.of("appdb", "reports")));
        assertThat(CredsyncConfig.load(all, minimalEnvironment()).database().databases()).isEqualTo(DatabaseScope.ALL);
        Map<String, String> env = new java.util.HashMap<>(minimalEnvironment());
        env.put("CREDSYNC_DATABASE_DATABASES", "appdb,reports");
        assertThat(CredsyncConfig.load(all, env).database().databases())
                .isEqualTo(DatabaseScope.of(List.of("appdb", "reports")));
        assertThatThrownBy(() -> CredsyncConfig.load(mixed, minimalEnvironment()))
                .hasMessageContaining("database.databases: is either all or a list of database names, not both");
    }

    @Test
    void environmentVariablesWinOverTheFile() throws Exception {
        Path file = write(dir, "c.yaml", String.join("\n",
                "database:",
                "  host: file-host",
                "  name: filedb",
                "secrets:",
                "  name_template: '{prefix}{role}'",
                "  tags: {team: file}",
                "replication:",
                "  status_interval: 5s",
                "aws:",
                "  region: us-west-2"));

        CredsyncConfig config = CredsyncConfig.load(file, environment(
                "CREDSYNC_DATABASE_HOST", "env-host",
                "CREDSYNC_SECRETS_NAME_TEMPLATE", "{database}-{role}",
                "CREDSYNC_SECRETS_TAGS", "team=env,env=prod",
                "CREDSYNC_REPLICATION_STATUS_INTERVAL", "2s",
                "CREDSYNC_AWS_REGION", "eu-central-1"));

        assertThat(config.database().host()).isEqualTo("env-host");
        assertThat(config.database().name()).as("CREDSYNC_DATABASE_NAME wins over the file's name")
                .isEqualTo("appdb");
        assertThat(config.secrets().nameTemplate()).hasToString("{database}-{role}");
        assertThat(config.secrets().tags()).as("a map from the environment replaces the file's whole")
                .containsExactly(Map.entry("team", "env"), Map.entry("env", "prod"));
        assertThat(config.replication().statusInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.aws().region()).isEqualTo(Region.EU_CENTRAL_1);
    }

    @Test
    void theFileWinsOverTheDefaultsAndTheSdksVariables() throws Exception {
        Path file = write(dir, "c.yaml", "database: {port: 6543}\naws: {region: us-west-2}\n");

        CredsyncConfig config = CredsyncConfig.load(file, minimalEnvironment());

        assertThat(config.database().port()).isEqualTo(6543);
        assertThat(config.aws().region()).as("aws.region wins over AWS_REGION").isEqualTo(Region.US_WEST_2);
    }

    @Test
    void anEmptyEnvironmentVariableCountsAsUnset() throws Exception {
        CredsyncConfig config = load(environment("CREDSYNC_DATABASE_HOST", "", "CREDSYNC_SECRETS_TAGS", ""));

        assertThat(config.database().host()).isEqualTo("localhost");
        assertThat(config.secrets().tags()).isEmpty();
    }

    @Test
    void anEmptyFileOrOneWithOnlyCommentsMeansEveryDefault() throws Exception {
        Path file = write(dir, "c.yaml", "# nothing to see\n");

        assertThat(CredsyncConfig.load(file, minimalEnvironment())).isEqualTo(load(minimalEnvironment()));
    }

    @Test
    void aSectionWrittenWithNoKeysMeansItsDefaults() throws Exception {
        Path file = write(dir, "c.yaml", "database:\nreplication:\ndelivery: ~\n");

        assertThat(CredsyncConfig.load(file, minimalEnvironment())).isEqualTo(load(minimalEnvironment()));
    }

    @Test
    void aMissingFileNamedExplicitlyIsAnErrorNamingItsPath() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> CredsyncConfig.load(missing, minimalEnvironment()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + missing + ": no such file");
    }

    @Test
    void aDirectoryNamedAsTheFileIsRefused() {
        assertThatThrownBy(() -> CredsyncConfig.load(dir, minimalEnvironment()))
                .hasMessage("config file " + dir + ": is a directory, not a file");
    }

    @Test
    void invalidYamlIsReportedWithItsPathAndLine() throws IOException {
        Path file = write(dir, "c.yaml", "database:\n  host: [unclosed\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessageStartingWith("config file " + file + ": not valid YAML at line ");
    }

    @Test
    void aKeyGivenTwiceIsRefusedRatherThanTheLastOneWinning() throws IOException {
        Path file = write(dir, "c.yaml", "database:\n  host: a\n  host: b\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessageStartingWith("config file " + file + ": not valid YAML")
                .hasMessageContaining("host");
    }

    @Test
    void aFileThatIsNotAMappingOfSectionsIsRefused() throws IOException {
        Path file = write(dir, "c.yaml", "- database\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessageStartingWith("config file " + file + ": must be a mapping of sections");
    }

    @Test
    void aSectionThatIsNotAMappingIsRefused() throws IOException {
        Path file = write(dir, "c.yaml", "database: localhost\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("database: must be a mapping of keys to values");
    }

    @Test
    void anUnknownKeyInTheFileIsRefusedWithTheKeyItProbablyMeant() throws IOException {
        Path file = write(dir, "c.yaml", "database:\n  hots: db.example.com\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("database.hots: unknown key (did you mean database.host?)");
    }

    @Test
    void aKeyInCamelCaseIsRefusedWithItsSnakeCaseSpelling() throws IOException {
        Path file = write(dir, "c.yaml", "secrets:\n  nameTemplate: '{role}'\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("secrets.nameTemplate: unknown key (did you mean secrets.name_template?)");
    }

    @Test
    void anUnknownSectionIsRefused() throws IOException {
        Path file = write(dir, "c.yaml", "databse:\n  host: x\ntracing: {}\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "databse: unknown key (did you mean database?)",
                        "tracing: unknown key"));
    }

    @Test
    void anUnknownVariableWithASectionsPrefixIsRefusedAsATypo() {
        assertThatThrownBy(() -> load(environment("CREDSYNC_DATABASE_HOTS", "db")))
                .hasMessage("database.hots: unknown key (from environment variable CREDSYNC_DATABASE_HOTS;"
                        + " did you mean CREDSYNC_DATABASE_HOST?)");
    }

    @Test
    void variablesOutsideTheSectionsPrefixesAreNotConfiguration() throws Exception {
        assertThat(load(environment("CREDSYNC_TOOLS", "/opt", "CREDSYNC_CONFIG", "x.yaml", "CREDSYNC_DATABASEX", "1")))
                .isEqualTo(load(minimalEnvironment()));
    }

    @Test
    void theVariableThatPasswordEnvNamesIsNotTakenForAnUnknownKey() throws Exception {
        Map<String, String> env = environment("CREDSYNC_DATABASE_PASSWORD_ENV", "CREDSYNC_DATABASE_PASSWORD",
                "CREDSYNC_DATABASE_PASSWORD", "other-pw");

        assertThat(load(env).database().password().orElseThrow().reveal()).isEqualTo("other-pw");
    }

    @Test
    void aPasswordWrittenIntoTheFileIsRefusedWithoutRepeatingIt() throws IOException {
        Path file = write(dir, "c.yaml", "database:\n  password: hunter2-in-the-file\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessageStartingWith("database.password: unknown key")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aListWhereASingleValueBelongsIsRefused() throws IOException {
        Path file = write(dir, "c.yaml", "database:\n  host: [a, b]\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("database.host: must be a single value, not a list");
    }

    @Test
    void everyProblemIsReportedAtOnceEachOnItsOwnLine() {
        Map<String, String> env = environment("CREDSYNC_DATABASE_PORT", "0", "CREDSYNC_DELIVERY_MAX_BATCH", "0");
        env.remove("CREDSYNC_DATABASE_NAME");

        assertThatThrownBy(() -> load(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            "database.port: must be between 1 and 65535, got 0"
                                    + " (from environment variable CREDSYNC_DATABASE_PORT)",
                            "database.name: required; set it in the file or with CREDSYNC_DATABASE_NAME",
                            "delivery.max_batch: must be between 1 and 10000, got 0"
                                    + " (from environment variable CREDSYNC_DELIVERY_MAX_BATCH)");
                    assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
                });
    }

    @Test
    void theConfigurationPrintsWithoutThePassword() throws Exception {
        CredsyncConfig config = load(minimalEnvironment());

        assertThat(config.toString()).doesNotContain(PASSWORD).contains("password=Optional[****]");
        assertThat(config.database().toString()).doesNotContain(PASSWORD);
        assertThat(PgConnector.of(config.database()).toString()).doesNotContain(PASSWORD);
    }

    @Test
    void endpointsFromTheFileAreUris() throws Exception {
        Path file = write(dir, "c.yaml", "aws:\n  kms_endpoint: http://localhost:8080\n");

        assertThat(CredsyncConfig.load(file, minimalEnvironment()).aws().kmsEndpoint())
                .contains(URI.create("http://localhost:8080"));
    }
}
