package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import java.io.StringWriter;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

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

    private static final String VICTIM_PASSWORD = "victim-initial-pass";
    private static final String NOSY_PASSWORD = "nosy-initial-pass";

    private static CredsyncDatabase database;
    private static String attacker;
    /** A managed role whose events an attacker would want to read, forge or replay. */
    private static String victim;
    /** An ordinary role granted USAGE on schema credsync, as pg_tle installs grant PUBLIC: tables stay closed. */
    private static String nosy;

    @BeforeAll
    static void installCredsyncAndAnOrdinaryRole() throws Exception {
        database = CredsyncDatabase.create("security");
        database.addKey("arn:aws:kms:us-east-1:111122223333:key/security", KEYS.getPublic());
        database.manage("sec\\_%");
        attacker = RoleStatements.uniqueName("sec");
        victim = RoleStatements.uniqueName("sec");
        nosy = RoleStatements.uniqueName("nosy");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, attacker, ATTACKER_PASSWORD);
            RoleStatements.createRole(superuser, victim, VICTIM_PASSWORD);
            RoleStatements.createRole(superuser, nosy, NOSY_PASSWORD);
            RoleStatements.execute(superuser, "GRANT USAGE ON SCHEMA credsync TO " + nosy);
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
    void shouldDenyOrdinaryRoleEveryFunctionButPgTleAdapterAndThePrivilegeRule() throws Exception {
        List<String> callable = queryColumn("SELECT p.oid::regprocedure::text FROM pg_proc p"
                + " WHERE p.pronamespace = 'credsync'::regnamespace"
                + " AND has_function_privilege('" + attacker + "', p.oid, 'EXECUTE')");
        assertThat(callable).as("functions PUBLIC may execute")
                // may_set_password reads only what pg_roles and pg_has_role tell anyone.
                .allSatisfy(name -> assertThat(name).matches("credsync\\.(pgtle_passcheck|may_set_password)\\(.*"));
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD)) {
            assertDenied(connection, "SELECT credsync.capture('sec_victim', 'forged', 'PASSWORD_TYPE_PLAINTEXT',"
                    + " NULL, true)");
            assertDenied(connection, "SELECT credsync.add_key('arn:forged', '-----BEGIN PUBLIC KEY-----')");
            assertDenied(connection, "SELECT credsync.manage('%')");
            assertDenied(connection, "SELECT credsync.unmanage('sec\\_%')");
            assertDenied(connection, "SELECT credsync.replay(1)");
            assertDenied(connection, "SELECT credsync.rotate('" + victim + "')");
            // rotate's way in refuses whoever may not execute rotate.
            assertDenied(connection, "INSERT INTO credsync.rotation (role_name, length, alphabet) VALUES ('" + victim
                    + "', 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')");
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

    @Test
    void shouldNotLetAnUnprivilegedRoleReadTheOutboxEvenWithUsageOnTheSchema() throws Exception {
        for (String[] login : logins()) {
            try (Connection connection = database.connect(login[0], login[1])) {
                assertDenied(connection, "SELECT envelope FROM credsync.outbox");
                assertDenied(connection, "SELECT count(*) FROM credsync.outbox");
                assertDenied(connection, "SELECT reason FROM credsync.delivery");
                assertCopyOutDenied(connection, "COPY credsync.outbox TO STDOUT");
                assertDenied(connection, "SELECT * FROM credsync.outbox o JOIN credsync.delivery d ON d.outbox_id = o.id");
            }
        }
    }

    @Test
    void shouldNotLetAnUnprivilegedRoleReadTheOutboxThroughLogicalDecoding() throws Exception {
        String slot = "sec_slot_" + ProcessHandle.current().pid();
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.execute(superuser, "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            RoleStatements.alterPassword(superuser, victim, "victim-pass-in-the-slot");
        }
        try {
            try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD)) {
                assertDenied(connection, "SELECT * FROM pg_logical_slot_peek_binary_changes('" + slot
                        + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'credsync_outbox')");
                assertDenied(connection, "SELECT * FROM pg_logical_slot_get_binary_changes('" + slot
                        + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'credsync_outbox')");
                assertDenied(connection, "SELECT pg_create_logical_replication_slot('sec_own_slot', 'pgoutput')");
            }
            Properties replication = new Properties();
            replication.setProperty("user", attacker);
            replication.setProperty("password", ATTACKER_PASSWORD);
            PGProperty.REPLICATION.set(replication, "database");
            PGProperty.PREFER_QUERY_MODE.set(replication, "simple");
            assertThatThrownBy(() -> DriverManager.getConnection(database.postgres().jdbcUrl(database.name()),
                    replication).close())
                    .as("a walsender connection").isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42501"));
        } finally {
            try (Connection superuser = database.connectAsSuperuser()) {
                RoleStatements.execute(superuser, "SELECT pg_drop_replication_slot('" + slot + "')");
                RoleStatements.alterPassword(superuser, victim, VICTIM_PASSWORD);
            }
        }
    }

    @Test
    void shouldNotLetAnUnprivilegedRoleForgeAnEvent() throws Exception {
        long before = outboxRows();
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD)) {
            assertDenied(connection, "INSERT INTO credsync.outbox (event_id, role_name, kid, envelope)"
                    + " VALUES (gen_random_uuid(), '" + victim + "', 'arn:aws:kms:us-east-1:111122223333:key/security',"
                    + " 'forged.envelope.of.five.parts')");
            assertDenied(connection, "SELECT credsync.capture('" + victim + "', 'forged-by-capture',"
                    + " 'PASSWORD_TYPE_PLAINTEXT', NULL, true)");
            // Through the hook itself: only a role allowed to change the victim's password gets that far.
            assertDenied(connection, "ALTER ROLE " + victim + " PASSWORD 'forged-by-alter-role'");
            assertDenied(connection, "CREATE ROLE sec_forged_new LOGIN PASSWORD 'forged-by-create-role'");
            // Nor hide a real event: a delivery row would make the consumer skip it.
            assertDenied(connection, "INSERT INTO credsync.delivery (outbox_id, event_id, role_name, status)"
                    + " SELECT 1, gen_random_uuid(), '" + victim + "', 'synced'");
            // Nor make the publication carry a table of their own, or replace it.
            RoleStatements.execute(connection, "CREATE TABLE IF NOT EXISTS public.sec_fake_outbox (envelope text)");
            assertDenied(connection, "ALTER PUBLICATION credsync_outbox ADD TABLE public.sec_fake_outbox");
            assertDenied(connection, "DROP PUBLICATION credsync_outbox");
        }
        assertThat(outboxRows()).as("outbox rows after every attempt").isEqualTo(before);
    }

    @Test
    void shouldNotLetAnUnprivilegedRoleForgeAnEventThroughThePgTleAdapter() throws Exception {
        assumeTrue(CredsyncDatabase.InstallMode.current() == CredsyncDatabase.InstallMode.PGTLE,
                "the adapter exists in pg_tle installs only");
        long before = outboxRows();
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD)) {
            // Every login role may execute the adapter (pg_tle calls it as the user changing a password),
            // so the adapter itself refuses a call that no ALTER ROLE of this user could have made.
            assertDenied(connection, "SELECT credsync.pgtle_passcheck('" + victim + "', 'guess-1',"
                    + " 'PASSWORD_TYPE_PLAINTEXT', NULL, true)");
        }
        assertThat(outboxRows()).as("outbox rows after the forged call").isEqualTo(before);
    }

    @Test
    void shouldNotLetAnUnprivilegedRoleCallReplay() throws Exception {
        long victimEvent = Long.parseLong(queryColumn("SELECT max(id)::text FROM credsync.outbox WHERE role_name = '"
                + victim + "'").get(0));
        long before = outboxRows();
        for (String[] login : logins()) {
            try (Connection connection = database.connect(login[0], login[1])) {
                assertDenied(connection, "SELECT credsync.replay(" + victimEvent + ")");
            }
        }
        assertThat(outboxRows()).isEqualTo(before);
    }

    @Test
    void shouldNotLetAnUnprivilegedRoleReadOrReplaceTheKeys() throws Exception {
        String activeBefore = queryColumn("SELECT kid FROM credsync.encryption_key WHERE active").get(0);
        String attackerKey = RsaKeys.pem(RsaKeys.pair(2048).getPublic());
        for (String[] login : logins()) {
            try (Connection connection = database.connect(login[0], login[1])) {
                assertDenied(connection, "SELECT kid, public_key FROM credsync.encryption_key");
                // An attacker's own key as the active one would make every later event theirs to open.
                assertDenied(connection, "SELECT credsync.add_key('arn:aws:kms:us-east-1:999999999999:key/attacker', '"
                        + attackerKey + "')");
                assertDenied(connection, "UPDATE credsync.encryption_key SET active = false");
                assertDenied(connection, "INSERT INTO credsync.managed_role (pattern) VALUES ('nothing')");
                assertDenied(connection, "SELECT credsync.unmanage('sec\\_%')");
            }
        }
        assertThat(queryColumn("SELECT kid FROM credsync.encryption_key WHERE active")).containsExactly(activeBefore);
    }

    @Test
    void shouldNotRunAnythingPlantedInPublicWhenASuperuserWithPublicFirstChangesAManagedPassword() throws Exception {
        // Signature, return type, a plausible value: a call would go unnoticed by the ALTER ROLE.
        List<String[]> planted = List.of(
                new String[] {"sha256(bytea)", "bytea", "$1"},
                new String[] {"encode(bytea, text)", "text", "'x'"},
                new String[] {"decode(text, text)", "bytea", "'\\x00'"},
                new String[] {"convert_to(text, name)", "bytea", "'\\x00'"},
                new String[] {"to_json(anyelement)", "json", "'null'"},
                new String[] {"current_database()", "text", "'x'"},
                new String[] {"clock_timestamp()", "timestamptz", "now()"},
                new String[] {"lpad(text, integer, text)", "text", "$1"},
                new String[] {"translate(text, text, text)", "text", "$1"},
                new String[] {"gen_random_bytes(bigint)", "bytea", "'\\x00'"});
        try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD);
                Statement statement = connection.createStatement()) {
            // Each records that it ran, and as whom: running as the superuser would be an escalation.
            statement.execute("CREATE TABLE IF NOT EXISTS public.planted_calls (what text, run_as text)");
            statement.execute("GRANT INSERT ON public.planted_calls TO PUBLIC");
            for (String[] function : planted) {
                statement.execute("CREATE OR REPLACE FUNCTION public." + function[0] + " RETURNS " + function[1]
                        + " LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.planted_calls VALUES ('" + function[0]
                        + "', current_user); RETURN " + function[2] + "; END$$");
            }
            statement.execute("CREATE OR REPLACE FUNCTION public.planted_concat(bytea, bytea) RETURNS bytea"
                    + " LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.planted_calls VALUES ('||', current_user);"
                    + " RETURN $1; END$$");
            statement.execute("DROP OPERATOR IF EXISTS public.|| (bytea, bytea)");
            statement.execute("CREATE OPERATOR public.|| (LEFTARG = bytea, RIGHTARG = bytea,"
                    + " FUNCTION = public.planted_concat)");
        }
        try {
            String password = "changed-by-a-superuser-after-planting";
            try (Connection superuser = database.connectAsSuperuser()) {
                // pg_catalog named after public: unqualified names would find the planted objects first.
                RoleStatements.execute(superuser, "SET search_path = public, pg_catalog");
                RoleStatements.alterPassword(superuser, victim, password);
                List<OutboxEvent> events = OutboxEvent.forRole(superuser, victim);
                assertThat(IndependentJwe.open(events.get(events.size() - 1).envelope(), KEYS.getPrivate())
                        .get("password").asText()).isEqualTo(password);
                RoleStatements.alterPassword(superuser, victim, VICTIM_PASSWORD);
            }
            assertThat(queryColumn("SELECT what || ' as ' || run_as FROM public.planted_calls"))
                    .as("planted functions and operators that ran").isEmpty();
        } finally {
            // The other search_path test plants in public too: leave it a clean slate.
            try (Connection connection = database.connect(attacker, ATTACKER_PASSWORD);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP OPERATOR public.|| (bytea, bytea)");
                statement.execute("DROP FUNCTION public.planted_concat(bytea, bytea)");
                for (String[] function : planted) {
                    statement.execute("DROP FUNCTION public." + function[0]);
                }
                statement.execute("DROP TABLE public.planted_calls");
            }
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

    /** The attacker (no grants) and the nosy role (USAGE on schema credsync): user and password. */
    private static List<String[]> logins() {
        return List.of(new String[] {attacker, ATTACKER_PASSWORD}, new String[] {nosy, NOSY_PASSWORD});
    }

    private static void assertCopyOutDenied(Connection connection, String sql) {
        assertThatThrownBy(() -> new CopyManager(connection.unwrap(BaseConnection.class)).copyOut(sql,
                new StringWriter())).as(sql).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo("42501"));
    }

    private static long outboxRows() throws SQLException {
        return Long.parseLong(queryColumn("SELECT count(*)::text FROM credsync.outbox").get(0));
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
