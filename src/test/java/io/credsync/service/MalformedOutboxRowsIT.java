package io.credsync.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.crypto.Envelope;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SecretScan;
import io.credsync.testing.SyncFixture;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Outbox rows that capture would never write, inserted by a superuser straight into
 * {@code credsync.outbox} for a managed role and a registered key: each becomes a {@code failed}
 * delivery row with a reason, whether the consumer finds it in its start-up scan or in the
 * replication stream; the consumer process runs on throughout, and a real change made afterwards
 * reaches its secret and logs in.
 */
class MalformedOutboxRowsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    @Test
    void shouldRecordEveryMalformedRowAsFailedWithAReasonAndKeepDeliveringWithoutARestart() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("malformed")) {
            fixture.database().manage("mal\\_%");
            String role = RoleStatements.uniqueName("mal");
            String first = "malformed-first-" + role;
            String last = "malformed-last-" + role;
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(superuser, role, first);
            }
            Map<String, Malformation> malformations = malformations(realEnvelope(fixture, role));
            removeTheTablesSizeLimit(fixture);

            // Before the consumer starts: these reach it through its scan of undelivered rows.
            Map<Long, Malformation> scanned = insertAll(fixture, role, malformations);
            ConsumerProcess consumer = fixture.startConsumer();
            fixture.awaitEveryEventDelivered(TIMEOUT);
            assertThat(fixture.awaitSecretPassword(role, first, TIMEOUT).path("password").asText()).isEqualTo(first);

            // While it streams: each row in its own transaction, so each is its own replicated batch.
            Map<Long, Malformation> streamed = insertAll(fixture, role, malformations);
            fixture.awaitEveryEventDelivered(TIMEOUT);

            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.alterPassword(superuser, role, last);
            }
            JsonNode secret = fixture.awaitSecretPassword(role, last, TIMEOUT);
            fixture.awaitEveryEventDelivered(TIMEOUT);

            assertThat(consumer.isAlive()).as("the consumer survived every malformed row").isTrue();
            assertThat(consumer.output().split("starting credsync", -1)).as("one start, no restart").hasSize(2);
            assertThat(consumer.output()).doesNotContain("thread stopped", first, last);
            for (Map<Long, Malformation> inserted : List.of(scanned, streamed)) {
                Map<Long, String[]> outcomes = outcomes(fixture, inserted.keySet());
                inserted.forEach((id, malformation) -> {
                    String[] outcome = outcomes.get(id);
                    assertThat(outcome).as(malformation.name() + ": a delivery row").isNotNull();
                    assertThat(outcome[0]).as(malformation.name() + ": " + outcome[1]).isEqualTo("failed");
                    assertThat(outcome[1]).as(malformation.name()).startsWith(malformation.reason() + ": ")
                            .doesNotStartWith(malformation.reason() + ": " + malformation.reason());
                });
            }
            try (Connection login = fixture.database().connect(role, secret.path("password").asText())) {
                assertThat(login.isValid(5)).as("the real change after the malformed rows logs in").isTrue();
            }
        }
    }

    /**
     * The limit of the above: a row so large that the consumer cannot hold it in memory (256 MiB of
     * heap here). pgoutput sends a row whole and PgJDBC reads a message whole, so no consumer-side
     * check can come first; what matters is that the consumer then stops, with exit code 1 and an
     * ERROR line that says why, for its supervisor to see, rather than live on with a dead thread,
     * answering /health/live while delivering nothing.
     */
    @Test
    void shouldExitWithCode1RatherThanLingerWhenARowDoesNotFitInTheConsumersHeap() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("toolarge")) {
            fixture.database().manage("huge\\_%");
            String role = RoleStatements.uniqueName("huge");
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(superuser, role, "too-large-first-" + role);
            }
            ConsumerProcess consumer = fixture.startConsumer();
            fixture.awaitEveryEventDelivered(TIMEOUT);
            removeTheTablesSizeLimit(fixture);
            try (Connection superuser = fixture.database().connectAsSuperuser();
                    PreparedStatement insert = superuser.prepareStatement("INSERT INTO credsync.outbox"
                            + " (event_id, role_name, kid, envelope) VALUES (gen_random_uuid(), ?, ?, repeat('A', ?))")) {
                insert.setString(1, role);
                insert.setString(2, fixture.kmsKeyArn());
                insert.setInt(3, 200 * 1024 * 1024);
                insert.execute();
            }
            assertThat(consumer.awaitExit(TIMEOUT)).as("exit code").isEqualTo(1);
            assertThat(consumer.output()).contains("\"level\":\"ERROR\"", "thread stopped", "OutOfMemoryError");
        }
    }

    @Test
    void shouldRefuseAnEnvelopeOverTheConsumersLimitInTheTableItself() throws Exception {
        try (SyncFixture fixture = SyncFixture.create("outbox_limit")) {
            fixture.database().manage("lim\\_%");
            String role = RoleStatements.uniqueName("lim");
            try (Connection superuser = fixture.database().connectAsSuperuser()) {
                RoleStatements.createRole(superuser, role, SecretScan.password("limit-" + role));
            }
            try (Connection superuser = fixture.database().connectAsSuperuser();
                    PreparedStatement insert = superuser.prepareStatement("INSERT INTO credsync.outbox"
                            + " (event_id, role_name, kid, envelope) VALUES (gen_random_uuid(), ?, ?, repeat('A', ?))")) {
                insert.setString(1, role);
                insert.setString(2, fixture.kmsKeyArn());
                insert.setInt(3, Envelope.MAX_LENGTH);
                assertThat(insert.executeUpdate()).as("exactly the limit").isEqualTo(1);
                insert.setInt(3, Envelope.MAX_LENGTH + 1);
                assertThatThrownBy(insert::executeUpdate).as("one character over")
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("23514"));
            }
        }
    }

    /**
     * The outbox refuses envelopes over the consumer's limit (see the test above); these tests are
     * about the consumer, should a row get past that (a superuser who dropped the constraint).
     */
    private static void removeTheTablesSizeLimit(SyncFixture fixture) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.execute(superuser, "ALTER TABLE credsync.outbox DROP CONSTRAINT outbox_envelope_size");
        }
    }

    /**
     * What can go wrong with an envelope, each derived from a real one so that only the named
     * defect stands between it and the consumer, with the reason the consumer must record.
     */
    private static Map<String, Malformation> malformations(String real) {
        String[] parts = real.split("\\.");
        String kid = kidOf(parts[0]);
        String rest = real.substring(parts[0].length());
        Map<String, Malformation> all = new LinkedHashMap<>();
        add(all, "empty", "", "MALFORMED");
        add(all, "truncated in the encrypted key", real.substring(0, parts[0].length() + 1 + parts[1].length() / 2),
                "MALFORMED");
        add(all, "truncated by its last ten characters", real.substring(0, real.length() - 10), "MALFORMED");
        add(all, "a character outside base64url in the ciphertext", replaceAt(real,
                real.length() - parts[4].length() - 20, '*'), "MALFORMED");
        add(all, "base64 padding on the tag", real + "=", "MALFORMED");
        add(all, "a header that is not JSON", encode("not json at all") + rest, "MALFORMED");
        add(all, "a header nested 20000 arrays deep", encode("[".repeat(20_000) + "]".repeat(20_000)) + rest,
                "MALFORMED");
        add(all, "alg RSA1_5", header("RSA1_5", Envelope.ENCRYPTION, kid) + rest, "UNSUPPORTED_ALGORITHM");
        add(all, "alg none", header("none", Envelope.ENCRYPTION, kid) + rest, "UNSUPPORTED_ALGORITHM");
        add(all, "enc A128GCM", header(Envelope.ALGORITHM, "A128GCM", kid) + rest, "UNSUPPORTED_ALGORITHM");
        add(all, "a wrapped key that KMS cannot unwrap", parts[0] + "." + encode(randomBytes(256)) + "."
                + parts[2] + "." + parts[3] + "." + parts[4], "BAD_CONTENT_KEY");
        add(all, "one character over " + Envelope.MAX_LENGTH, oversized(real, Envelope.MAX_LENGTH + 1), "MALFORMED");
        add(all, "16 MiB", oversized(real, 16 * 1024 * 1024), "MALFORMED");
        return all;
    }

    private static void add(Map<String, Malformation> all, String name, String envelope, String reason) {
        all.put(name, new Malformation(name, envelope, reason));
    }

    /** A row that capture would never write, and the reason its delivery row must give. */
    private record Malformation(String name, String envelope, String reason) {
    }

    /** Inserts one row per malformation, each in its own transaction; returns their ids. */
    private static Map<Long, Malformation> insertAll(SyncFixture fixture, String role,
            Map<String, Malformation> malformations) throws SQLException {
        Map<Long, Malformation> ids = new LinkedHashMap<>();
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement insert = superuser.prepareStatement("INSERT INTO credsync.outbox"
                        + " (event_id, role_name, kid, envelope) VALUES (gen_random_uuid(), ?, ?, ?) RETURNING id")) {
            for (Malformation malformation : malformations.values()) {
                insert.setString(1, role);
                insert.setString(2, fixture.kmsKeyArn());
                insert.setString(3, malformation.envelope());
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    ids.put(rows.getLong(1), malformation);
                }
            }
        }
        return ids;
    }

    /** Status and reason of each outbox row in {@code ids} that has a delivery row. */
    private static Map<Long, String[]> outcomes(SyncFixture fixture, Iterable<Long> ids) throws SQLException {
        List<Long> list = new ArrayList<>();
        ids.forEach(list::add);
        Map<Long, String[]> outcomes = new LinkedHashMap<>();
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement select = superuser.prepareStatement("SELECT outbox_id, status, coalesce(reason, '')"
                        + " FROM credsync.delivery WHERE outbox_id = ANY (?)")) {
            select.setArray(1, superuser.createArrayOf("bigint", list.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    outcomes.put(rows.getLong(1), new String[] {rows.getString(2), rows.getString(3)});
                }
            }
        }
        return outcomes;
    }

    private static String realEnvelope(SyncFixture fixture, String role) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement select = superuser.prepareStatement(
                        "SELECT envelope FROM credsync.outbox WHERE role_name = ? ORDER BY id LIMIT 1")) {
            select.setString(1, role);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).as("capture recorded the role's creation").isTrue();
                return rows.getString(1);
            }
        }
    }

    private static String kidOf(String encodedHeader) {
        String json = new String(Base64.getUrlDecoder().decode(encodedHeader), StandardCharsets.UTF_8);
        return json.replaceFirst("(?s).*\"kid\":\"([^\"]*)\".*", "$1");
    }

    private static String header(String alg, String enc, String kid) {
        return encode("{\"alg\":\"" + alg + "\",\"enc\":\"" + enc + "\",\"kid\":\"" + kid + "\"}");
    }

    /** The real envelope with its ciphertext grown by whole base64url blocks to {@code length} or just over. */
    private static String oversized(String real, int length) {
        int ciphertextEnd = real.lastIndexOf('.');
        int grow = ((length - real.length() + 3) / 4) * 4;
        String grown = real.substring(0, ciphertextEnd) + "A".repeat(grow) + real.substring(ciphertextEnd);
        assertThat(grown.length()).isGreaterThanOrEqualTo(length);
        return grown;
    }

    private static String replaceAt(String text, int index, char c) {
        return text.substring(0, index) + c + text.substring(index + 1);
    }

    private static String encode(String text) {
        return BASE64URL.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(byte[] bytes) {
        return BASE64URL.encodeToString(bytes);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
