package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import java.security.KeyPair;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The envelope the database writes is a standard JWE that Nimbus JOSE+JWT opens with the
 * private key, for every RSA size KMS offers, with every payload field as docs/design.md specifies.
 */
class CaptureEnvelopeIT {

    private static CredsyncDatabase database;

    @BeforeAll
    static void installCredsync() throws Exception {
        database = CredsyncDatabase.create("envelope");
        database.manage("env\\_%");
    }

    @ParameterizedTest(name = "RSA {0}")
    @ValueSource(ints = {2048, 3072, 4096})
    void shouldWriteEnvelopeThatIndependentJoseLibraryOpens(int bits) throws Exception {
        KeyPair keys = RsaKeys.pair(bits);
        String kid = "arn:aws:kms:us-east-1:111122223333:key/test-rsa-" + bits;
        database.addKey(kid, keys.getPublic());
        String role = RoleStatements.uniqueName("env");

        Instant before = Instant.now();
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, "first-" + bits);
            RoleStatements.alterPassword(superuser, role, "second-" + bits, "2031-02-03 04:05:06+00");
            Instant after = Instant.now();

            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).as("CREATE ROLE and ALTER ROLE each add one event").hasSize(2);
            for (OutboxEvent event : events) {
                assertThat(event.kid()).isEqualTo(kid);
                assertThat(event.replayOf()).isNull();
                assertThat(IndependentJwe.rawHeader(event.envelope()))
                        .as("the protected header, byte for byte")
                        .isEqualTo("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\"}");
            }

            JsonNode created = IndependentJwe.open(events.get(0).envelope(), keys.getPrivate());
            assertPayload(created, events.get(0), role, "first-" + bits, before, after);
            assertThat(created.get("valid_until").isNull()).as("no VALID UNTIL was given").isTrue();

            JsonNode altered = IndependentJwe.open(events.get(1).envelope(), keys.getPrivate());
            assertPayload(altered, events.get(1), role, "second-" + bits, before, after);
            assertThat(Instant.parse(altered.get("valid_until").asText()))
                    .isEqualTo(Instant.parse("2031-02-03T04:05:06Z"));
        }
    }

    private static void assertPayload(JsonNode payload, OutboxEvent event, String role, String password,
            Instant before, Instant after) {
        assertThat(payload.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("v", "event_id", "role", "password", "valid_until", "database",
                        "captured_at");
        assertThat(payload.get("v").asInt()).isEqualTo(1);
        assertThat(payload.get("event_id").asText()).as("the payload names its row's event")
                .isEqualTo(event.eventId().toString());
        assertThat(payload.get("role").asText()).isEqualTo(role);
        assertThat(payload.get("password").asText()).isEqualTo(password);
        assertThat(payload.get("database").asText()).isEqualTo(database.name());
        assertThat(Instant.parse(payload.get("captured_at").asText()))
                .as("captured during the statement").isBetween(before.minusSeconds(1), after.plusSeconds(1));
        assertThat(payload.get("captured_at").asText()).as("written in UTC").endsWith("+00:00");
        assertThat(event.rowText()).as("the row never holds the password").doesNotContain(password);
    }
}
