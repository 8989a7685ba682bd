package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ordinary role, with no grants, can neither read nor write what credsync keeps, nor call
 * its functions, nor change what capture does by planting objects on its search_path.
 */
class CaptureSecurityIT {

    private static final KeyPair KEYS = RsaKeys.pair(2048);
    private static final String ATTACKER_PASSWORD = "attacker-initial-pass";
    /** CREATE EXTENSION credsync CASCADE put pgcrypto in public, so these names are taken there. */
    private static final List<String> PGCRYPTO_IN_PUBLIC = List.of("gen_random_uuid()", "gen_random_bytes(integer)",
            "hmac(bytea, bytea, text)", "encrypt_iv(bytea, bytea, bytea, text)");

    private static CredsyncDatabase database;
    private static String attacker;

    @BeforeAll
    static void installCredsyncAndAnOrdinaryRole() throws Exception {
        database = CredsyncDatabase.create("security");
        database.addKey("arn:aws:kms:us-east-1:111122223333:key/security", KEYS.getPublic());
        database.manage("sec\\_%");
        attacker = RoleStatements.uniqueName("sec");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, attacker, ATTACKER_PASSWORD);
            RoleStatements.execute(superuser, "GRANT CREATE ON DATABASE " + RoleStatements.identifier(superuser,
                    database.name()) + " TO " + RoleStatements.identifier(superuser, attacker));
            RoleStatements.execute(superuser, "GRANT CREATE ON SCHEMA public TO PUBLIC");
        }
    }

    @Test
    void shouldDenyOrdinaryRoleEveryTable() throws Exception {
        List<String> tables = queryColumn("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                + " WHERE schemaname = 'credsync' ORDER BY 1");
        assertThat(tables).contains("credsync.outbox", "credsync.delivery", "credsync.encryption_key",
                "credsync.managed_role");
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD)) {
            for (String table : tables) {
                assertDenied(connection, "SELECT * FROM " + table);
                assertDenied(connection, "INSERT INTO " + table + " DEFAULT VALUES");
                String column = secondColumn(table);
                assertDenied(connection, "UPDATE " + table + " SET " + column + " = " + column);
                assertDenied(connection, "DELETE FROM " + table);
                assertDenied(connection, "TRUNCATE " + table);
            }
        }
    }

    @Test
    void shouldDenyOrdinaryRoleEveryFunctionButPgTleAdapter() throws Exception {
        List<String> callable = queryColumn("SELECT p.oid::regprocedure::text FROM pg_proc p"
                + " WHERE p.pronamespace = 'credsync'::regnamespace"
                + " AND has_function_privilege('" + attacker + "', p.oid, 'EXECUTE')");
        assertThat(callable).as("functions PUBLIC may execute")
                .allSatisfy(name -> assertThat(name).startsWith("credsync.pgtle_passcheck("));
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD)) {
            assertDenied(connection, "SELECT credsync.capture('sec_victim', 'forged', 'PASSWORD_TYPE_PLAINTEXT',"
                    + " NULL, true)");
            assertDenied(connection, "SELECT credsync.add_key('arn:forged', '-----BEGIN PUBLIC KEY-----')");
            assertDenied(connection, "SELECT credsync.manage('%')");
            assertDenied(connection, "SELECT credsync.unmanage('sec\\_%')");
            assertDenied(connection, "SELECT credsync.replay(1)");
        }
    }

    @Test
    void shouldIgnoreFunctionsOperatorsAndTablesPlantedOnSearchPath() throws Exception {
        String schema = "plant_" + ProcessHandle.current().pid();
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
            // Each planted object would break the ALTER ROLE, or the envelope, if capture used it.
            for (String signature : List.of("sha256(bytea)", "gen_random_uuid()", "encode(bytea, text)",
                    "decode(text, text)", "convert_to(text, name)", "int8send(bigint)", "int4send(integer)",
                    "octet_length(bytea)", "substring(bytea, integer, integer)", "to_json(anyelement)",
                    "current_database()", "clock_timestamp()", "gen_random_bytes(integer)",
                    "hmac(bytea, bytea, text)", "encrypt_iv(bytea, bytea, bytea, text)", "mod(numeric, numeric)",
                    "trunc(numeric)", "lpad(text, integer, text)")) {
                String returns = signature.startsWith("gen_random_uuid") ? "uuid"
                        : signature.matches("(sha256|decode|convert_to|int8send|int4send|substring|gen_random_bytes"
                                + "|hmac|encrypt_iv).*") ? "bytea"
                        : signature.startsWith("octet_length") ? "integer"
                        : signature.startsWith("to_json") ? "json"
                        : signature.startsWith("clock_timestamp") ? "timestamptz"
                        : signature.matches("(mod|trunc).*") ? "numeric" : "text";
                statement.execute("CREATE FUNCTION " + schema + "." + signature + " RETURNS " + returns
                        + " LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted function ran'; END$$");
                if (!PGCRYPTO_IN_PUBLIC.contains(signature)) {
                    statement.execute("CREATE FUNCTION public." + signature + " RETURNS " + returns
                            + " LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted function ran'; END$$");
                }
            }
            statement.execute("CREATE FUNCTION " + schema + ".concat_bytea(bytea, bytea) RETURNS bytea"
                    + " LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted operator ran'; END$$");
            statement.execute("CREATE OPERATOR " + schema + ".|| (LEFTARG = bytea, RIGHTARG = bytea,"
                    + " FUNCTION = " + schema + ".concat_bytea)");
            statement.execute("CREATE FUNCTION " + schema + ".numeric_times_int(numeric, integer) RETURNS numeric"
                    + " LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'planted operator ran'; END$$");
            statement.execute("CREATE OPERATOR " + schema + ".* (LEFTARG = numeric, RIGHTARG = integer,"
                    + " FUNCTION = " + schema + ".numeric_times_int)");
            statement.execute("CREATE TEMP TABLE outbox (LIKE pg_catalog.pg_class)");
            statement.execute("CREATE TEMP TABLE managed_role (pattern text)");
            statement.execute("SET search_path = " + schema + ", pg_temp, public, pg_catalog");

            RoleStatements.alterPassword(connection, attacker, "after-planting");
        }
        try (Connection superuser = database.connectAsSuperuser()) {
            List<OutboxEvent> events = OutboxEvent.forRole(superuser, attacker);
            OutboxEvent last = events.get(events.size() - 1);
            assertThat(IndependentJwe.open(last.envelope(), KEYS.getPrivate()).get("password").asText())
                    .isEqualTo("after-planting");
        }
        try (Connection login = database.connect(attacker, "after-planting")) {
            assertThat(login.isValid(5)).isTrue();
            RoleStatements.alterPassword(login, attacker, ATTACKER_PASSWORD);
        }
    }

    private static void assertDenied(Connection connection, String sql) {
        assertThatThrownBy(() -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).as(sql).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo("42501"));
    }

    /** Not the first: an identity column's update fails before privileges are checked. */
    private static String secondColumn(String table) throws SQLException {
        return queryColumn("SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = '" + table
                + "'::regclass AND attnum = 2").get(0);
    }

    private static List<String> queryColumn(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection superuser = database.connectAsSuperuser();
                Statement statement = superuser.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
