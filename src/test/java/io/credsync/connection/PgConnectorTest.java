package io.credsync.connection;

import static io.credsync.config.ConfigFixtures.PASSWORD;
import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.config.ConfigException;
import io.credsync.config.DatabaseConfig;
import io.credsync.config.DatabaseConfig.Auth;
import io.credsync.config.DatabaseConfig.SslMode;
import io.credsync.config.DatabaseScope;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

class PgConnectorTest {

    private static PgConnector connector(Map<String, String> env) throws ConfigException {
        return (PgConnector) PgConnector.of(load(env).database());
    }

    @Test
    void theUrlNamesHostPortAndDatabaseAndNothingElse() throws Exception {
        PgConnector connector = connector(environment("CREDSYNC_DATABASE_HOST", "db.example.com",
                "CREDSYNC_DATABASE_PORT", "6543"));

        assertThat(connector.url()).isEqualTo("jdbc:postgresql://db.example.com:6543/appdb");
        assertThat(connector.databaseName()).isEqualTo("appdb");
    }

    @Test
    void anOrdinaryConnectionCarriesTheConfiguredSettings() throws Exception {
        Properties p = connector(environment("CREDSYNC_DATABASE_SSL_MODE", "verify-full",
                "CREDSYNC_DATABASE_APPLICATION_NAME", "credsync-eu", "CREDSYNC_DATABASE_CONNECT_TIMEOUT", "5s"))
                .properties();

        assertThat(PGProperty.USER.getOrDefault(p)).isEqualTo("credsync");
        assertThat(PGProperty.SSL_MODE.getOrDefault(p)).isEqualTo("verify-full");
        assertThat(PGProperty.APPLICATION_NAME.getOrDefault(p)).isEqualTo("credsync-eu");
        assertThat(PGProperty.CONNECT_TIMEOUT.getOrDefault(p)).isEqualTo("5");
        assertThat(PGProperty.TCP_KEEP_ALIVE.getOrDefault(p)).isEqualTo("true");
        assertThat(PGProperty.ASSUME_MIN_SERVER_VERSION.getOrDefault(p)).as("settings in the startup packet, no query")
                .isEqualTo("15");
        assertThat(PGProperty.REPLICATION.isPresent(p)).as("not a replication connection").isFalse();
        assertThat(PGProperty.PASSWORD.isPresent(p)).as("safe to print: no password").isFalse();
    }

    @Test
    void aReplicationConnectionAddsWhatPgJdbcsReplicationApiNeeds() throws Exception {
        PgConnector connector = connector(minimalEnvironment());
        Properties p = connector.replicationProperties();

        assertThat(PGProperty.REPLICATION.getOrDefault(p)).isEqualTo("database");
        assertThat(PGProperty.ASSUME_MIN_SERVER_VERSION.getOrDefault(p)).isEqualTo("15");
        assertThat(PGProperty.PREFER_QUERY_MODE.getOrDefault(p)).isEqualTo("simple");
        assertThat(PGProperty.SOCKET_FACTORY.getOrDefault(p)).as("a socket the replication thread can wait on")
                .isEqualTo(WaitableSocketFactory.class.getName());
        assertThat(p).as("everything an ordinary connection has, too").containsAllEntriesOf(connector.properties());
        assertThat(PGProperty.PASSWORD.isPresent(p)).isFalse();
    }

    @Test
    void thePasswordJoinsThePropertiesOnlyOnTheWayToTheDriver() throws Exception {
        PgConnector connector = connector(minimalEnvironment());

        Properties p = connector.withCredentials(connector.properties());

        assertThat(PGProperty.PASSWORD.getOrDefault(p)).isEqualTo(PASSWORD);
        assertThat(connector.properties()).as("each call makes a new copy").doesNotContainKey("password");
    }

    @Test
    void theConnectTimeoutIsRoundedUpToWholeSecondsAndNeverToZero() throws Exception {
        assertThat(PGProperty.CONNECT_TIMEOUT.getOrDefault(
                connector(environment("CREDSYNC_DATABASE_CONNECT_TIMEOUT", "1500ms")).properties())).isEqualTo("2");
        assertThat(PGProperty.CONNECT_TIMEOUT.getOrDefault(
                connector(environment("CREDSYNC_DATABASE_CONNECT_TIMEOUT", "1ms")).properties()))
                .as("0 would mean: wait forever").isEqualTo("1");
    }

    @Test
    void anIpv6AddressIsBracketedInTheUrl() throws Exception {
        assertThat(connector(environment("CREDSYNC_DATABASE_HOST", "::1")).url())
                .isEqualTo("jdbc:postgresql://[::1]:5432/appdb");
    }

    @Test
    void aDatabaseNameWithUrlCharactersReachesPgJdbcUnchanged() throws Exception {
        String name = "my db/2024?x=%&y+";
        PgConnector connector = connector(environment("CREDSYNC_DATABASE_NAME", name));

        Properties parsed = Driver.parseURL(connector.url(), null);

        assertThat(PGProperty.PG_DBNAME.getOrDefault(parsed)).isEqualTo(name);
        assertThat(PGProperty.PG_HOST.getOrDefault(parsed)).isEqualTo("localhost");
        assertThat(PGProperty.PG_PORT.getOrDefault(parsed)).isEqualTo("5432");
    }

    @Test
    void pgJdbcReadsTheMinimumServerVersionAsPostgreSql15() {
        assertThat(org.postgresql.core.ServerVersion.from(PgConnector.MIN_SERVER_VERSION).getVersionNum())
                .isEqualTo(150000);
    }

    @Test
    void aConnectorPrintsTheUrlAndUserButNeverThePassword() throws Exception {
        assertThat(connector(minimalEnvironment()).toString())
                .isEqualTo("PgConnector[jdbc:postgresql://localhost:5432/appdb, user=credsync]")
                .doesNotContain(PASSWORD);
    }

    @Test
    void anIamConfigurationPutsAFreshTokenForItsUserInThePassword() {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        try {
            DatabaseConfig iam = new DatabaseConfig("db.example.eu-west-1.rds.amazonaws.com", 5432, "db", "credsync",
                    Optional.empty(), Optional.empty(), Optional.empty(), Auth.IAM, SslMode.VERIFY_FULL,
                    Duration.ofSeconds(10), "credsync", Optional.of(software.amazon.awssdk.regions.Region.EU_WEST_1),
                    DatabaseScope.ALL, Duration.ofMinutes(5));
            PgConnector connector = (PgConnector) PgConnector.of(iam);

            String token = PGProperty.PASSWORD.getOrDefault(connector.withCredentials(connector.properties()));

            assertThat(token).startsWith("db.example.eu-west-1.rds.amazonaws.com:5432/?")
                    .contains("Action=connect", "DBUser=credsync", "X-Amz-Expires=900",
                            "%2Feu-west-1%2Frds-db%2Faws4_request", "X-Amz-Signature=");
            assertThat(connector.properties().toString()).as("properties stay printable").doesNotContain(token);
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }
}
