package io.credsync.capture;

import static io.credsync.testing.Jdbc.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.CredsyncDatabase.InstallMode;
import io.credsync.testing.Jdbc;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;
import io.credsync.testing.NoPasswordIn;

/**
 * What happens to real CREATE ROLE and ALTER ROLE statements with credsync installed: which
 * changes are recorded, which are refused, and that no password leaks into a row, an error
 * or the server log.
 */
class CaptureBehaviourIT {

    private static final KeyPair KEYS = RsaKeys.pair(2048);
    private static final String KID = "arn:aws:kms:us-east-1:111122223333:key/behaviour";
    /** Every password this class sets or tries; none may appear in the server log. */
    private static final List<String> PASSWORDS_USED = new ArrayList<>();
    private static final int MIN_SCANNABLE_LENGTH = 6;

    private static CredsyncDatabase database;

    @BeforeAll
    static void installCredsync() throws Exception {
        database = CredsyncDatabase.create("behaviour");
        database.addKey(KID, KEYS.getPublic());
        database.manage("cap\\_%");
    }

    @AfterAll
    static void serverLogHoldsNoPassword() {
        String log = database.postgres().serverLog();
        assertThat(PASSWORDS_USED).isNotEmpty();
        NoPasswordIn.assertAbsent(log, "the server log at default settings", PASSWORDS_USED);
    }

    @Test
    void shouldRecordOneEventPerManagedPasswordChange() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("create-Pa55"));
            RoleStatements.alterPassword(superuser, role, used("alter-Pa55"));

            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).hasSize(2);
            assertThat(passwordOf(events.get(0))).isEqualTo("create-Pa55");
            assertThat(passwordOf(events.get(1))).isEqualTo("alter-Pa55");
        }
        try (Connection login = database.connect(role, "alter-Pa55")) {
            assertThat(login.isValid(5)).as("the recorded password is the one that logs in").isTrue();
        }
    }

    @Test
    void shouldRecordNothingWhenAlterRoleRollsBack() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            superuser.setAutoCommit(false);
            RoleStatements.alterPassword(superuser, role, used("rolled-back-1"));
            assertThat(OutboxEvent.forRole(superuser, role)).as("visible inside the transaction").hasSize(1);
            superuser.rollback();
            superuser.setAutoCommit(true);
            assertThat(OutboxEvent.forRole(superuser, role)).isEmpty();
        }
    }

    @Test
    void shouldRecordNothingWhenSavepointRollsBack() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            superuser.setAutoCommit(false);
            Savepoint savepoint = superuser.setSavepoint();
            RoleStatements.alterPassword(superuser, role, used("rolled-back-2"));
            superuser.rollback(savepoint);
            RoleStatements.alterPassword(superuser, role, used("kept-after-savepoint"));
            superuser.commit();
            superuser.setAutoCommit(true);

            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).as("only the change that committed").hasSize(1);
            assertThat(passwordOf(events.get(0))).isEqualTo("kept-after-savepoint");
        }
    }

    @Test
    void shouldRecordAChangeByAnAdministratorWithCreateRoleDirectlyOrThroughSetRole() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        String admin = RoleStatements.uniqueName("capadmin");
        String member = RoleStatements.uniqueName("capmember");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("before-admin"));
            RoleStatements.createRole(superuser, admin, used("admin-login-1"));
            RoleStatements.execute(superuser, "ALTER ROLE " + admin + " CREATEROLE");
            if (superuser.getMetaData().getDatabaseMajorVersion() >= 16) {
                // Since PostgreSQL 16 CREATEROLE alters only the roles it holds with ADMIN OPTION.
                RoleStatements.execute(superuser, "GRANT " + role + " TO " + admin + " WITH ADMIN OPTION");
            }
            // A DBA who logs in as themselves and SET ROLEs to the administrative role.
            RoleStatements.createRole(superuser, member, used("member-login-1"));
            RoleStatements.execute(superuser, "GRANT " + admin + " TO " + member);
        }
        try (Connection byAdmin = database.connect(admin, "admin-login-1")) {
            RoleStatements.alterPassword(byAdmin, role, used("set-by-admin"));
        }
        try (Connection byMember = database.connect(member, "member-login-1")) {
            RoleStatements.execute(byMember, "SET ROLE " + admin);
            RoleStatements.alterPassword(byMember, role, used("set-by-member"));
        }
        try (Connection superuser = database.connectAsSuperuser()) {
            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).hasSize(3);
            assertThat(passwordOf(events.get(1))).isEqualTo("set-by-admin");
            assertThat(passwordOf(events.get(2))).isEqualTo("set-by-member");
        }
    }

    @Test
    void shouldRecordUnprivilegedRoleChangingItsOwnPassword() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("own-old-password"));
        }
        try (Connection self = database.connect(role, "own-old-password")) {
            RoleStatements.alterPassword(self, role, used("own-new-password"));
        }
        try (Connection superuser = database.connectAsSuperuser()) {
            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).hasSize(2);
            assertThat(passwordOf(events.get(1))).isEqualTo("own-new-password");
        }
        try (Connection login = database.connect(role, "own-new-password")) {
            assertThat(login.isValid(5)).isTrue();
        }
    }

    @Test
    void shouldNeitherRecordNorRefuseUnmanagedRoles() throws Exception {
        String role = RoleStatements.uniqueName("free");
        try (Connection superuser = database.connectAsSuperuser()) {
            long before = OutboxEvent.count(superuser);
            RoleStatements.createRole(superuser, role, used("unmanaged-1"));
            RoleStatements.alterPassword(superuser, role, md5Verifier(role, used("unmanaged-2")));
            RoleStatements.alterPassword(superuser, role, used("u".repeat(300)));
            RoleStatements.alterPassword(superuser, role, used("unmanaged-3"));
            assertThat(OutboxEvent.count(superuser)).isEqualTo(before);
        }
        try (Connection login = database.connect(role, "unmanaged-3")) {
            assertThat(login.isValid(5)).isTrue();
        }
    }

    @Test
    void shouldRefuseManagedRoleWhenNoKeyIsActive() throws Exception {
        CredsyncDatabase keyless = CredsyncDatabase.create("keyless");
        keyless.manage("cap\\_%");
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = keyless.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            PSQLException refused = refusal(() -> RoleStatements.alterPassword(superuser, role, used("no-key-pass")));
            assertThat(refused.getSQLState()).isEqualTo("55000");
            assertThat(refused.getServerErrorMessage().getMessage()).contains("no active encryption key");
            assertThat(refused.getServerErrorMessage().getHint()).contains("credsync keys add");
            assertThat(OutboxEvent.forRole(superuser, role)).isEmpty();
        }
        assertThatThrownBy(() -> keyless.connect(role, "no-key-pass").close())
                .as("the refused password was not set").isInstanceOf(SQLException.class);
    }

    @Test
    void shouldRefusePasswordsOf255BytesOrMore() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("short-enough"));
            for (String tooLong : List.of("L".repeat(255), "M".repeat(300), "é".repeat(128))) {
                PSQLException refused = refusal(() -> RoleStatements.alterPassword(superuser, role, used(tooLong)));
                assertThat(refused.getSQLState()).isEqualTo("22023");
                assertThat(refused.getServerErrorMessage().getMessage()).contains("255 bytes or more");
            }
            assertThat(OutboxEvent.forRole(superuser, role)).hasSize(1);
        }
        try (Connection login = database.connect(role, "short-enough")) {
            assertThat(login.isValid(5)).as("the old password still holds").isTrue();
        }
    }

    @Test
    void shouldRefusePasswordsHashedByTheClient() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        String helper = RoleStatements.uniqueName("free");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("before-hashing"));
            // A real SCRAM verifier, as psql's \password would send it.
            RoleStatements.createRole(superuser, helper, used("hashed-by-client"));
            String scram = single(superuser, "SELECT rolpassword FROM pg_authid WHERE rolname = '" + helper + "'");
            for (String hashed : List.of(scram, md5Verifier(role, "hashed-by-client"))) {
                PSQLException refused = refusal(() -> RoleStatements.alterPassword(superuser, role, hashed));
                assertThat(refused.getSQLState()).isEqualTo("22023");
                assertThat(refused.getServerErrorMessage().getMessage()).contains("hashed by the client");
                assertThat(refused.getServerErrorMessage().getHint()).contains("plaintext");
                assertThat(refused.toString()).doesNotContain(hashed);
            }
            assertThat(OutboxEvent.forRole(superuser, role)).hasSize(1);
        }
    }

    @Test
    void shouldRefuseInsidePgTleBackgroundWorker() throws Exception {
        assumeThat(InstallMode.current()).as("pg_tle's worker exists only with pg_tle").isEqualTo(InstallMode.PGTLE);
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            RoleStatements.execute(superuser, "ALTER SYSTEM SET pgtle.passcheck_db_name = '" + database.name() + "'");
            RoleStatements.execute(superuser, "SELECT pg_reload_conf()");
            Jdbc.awaitSetting(superuser, "pgtle.passcheck_db_name", database.name());
            try {
                // pg_tle's worker passes on only the message and hint, and logs the statement: this
                // password is therefore neither in PASSWORDS_USED, whose absence from the log is
                // asserted, nor registered for the run's secret scan (a plain statement, not RoleStatements).
                PSQLException refused = refusal(() -> RoleStatements.execute(superuser, "ALTER ROLE "
                        + RoleStatements.identifier(superuser, role) + " PASSWORD 'worker-pass'"));
                assertThat(refused.getServerErrorMessage().getMessage()).contains("background worker");
                assertThat(OutboxEvent.forRole(superuser, role)).isEmpty();
            } finally {
                RoleStatements.execute(superuser, "ALTER SYSTEM RESET pgtle.passcheck_db_name");
                RoleStatements.execute(superuser, "SELECT pg_reload_conf()");
                Jdbc.awaitSetting(superuser, "pgtle.passcheck_db_name", "");
            }
        }
    }

    @Test
    void shouldQueueACopyOfTheOriginalEventOnReplay() throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("replayed-pass"));
            OutboxEvent original = OutboxEvent.forRole(superuser, role).get(0);
            long firstCopy = Long.parseLong(single(superuser, "SELECT credsync.replay(" + original.id() + ")"));
            long secondCopy = Long.parseLong(single(superuser, "SELECT credsync.replay(" + firstCopy + ")"));

            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).extracting(OutboxEvent::id).containsExactly(original.id(), firstCopy, secondCopy);
            for (OutboxEvent copy : events.subList(1, 3)) {
                assertThat(copy.replayOf()).as("a replay of a replay names the original").isEqualTo(original.id());
                assertThat(copy.eventId()).as("the payload names this event id").isEqualTo(original.eventId());
                assertThat(copy.envelope()).isEqualTo(original.envelope());
            }
            PSQLException missing = refusal(() -> RoleStatements.execute(superuser, "SELECT credsync.replay(-1)"));
            assertThat(missing.getSQLState()).isEqualTo("P0002");
        }
    }

    @Test
    void shouldRefuseOnlyManagedRolesChangesInADatabaseWithoutCredsyncUnlessASuperuserSaysOtherwise()
            throws Exception {
        assumeThat(InstallMode.current()).as("credsync_passcheck.require is the native module's")
                .isEqualTo(InstallMode.NATIVE);
        String bare = "no_credsync_" + ProcessHandle.current().pid();
        database.postgres().createDatabase(bare);
        String managed = RoleStatements.uniqueName("cap");
        String unmanaged = RoleStatements.uniqueName("free");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, managed, used("set-where-credsync-is"));
        }
        try (Connection elsewhere = database.postgres().connectAsSuperuser(bare)) {
            RoleStatements.createRole(elsewhere, unmanaged, used("unmanaged-created-anywhere"));
            RoleStatements.alterPassword(elsewhere, unmanaged, used("unmanaged-changed-anywhere"));

            PSQLException refused = refusal(() -> RoleStatements.alterPassword(elsewhere, managed, used("unrecordable")));
            assertThat(refused.getSQLState()).isEqualTo("55000");
            assertThat(refused.getServerErrorMessage().getMessage())
                    .isEqualTo("credsync is not installed in database \"" + bare + "\"");
            assertThat(refused.getServerErrorMessage().getHint()).contains("CREATE EXTENSION credsync CASCADE");

            RoleStatements.execute(elsewhere, "SET credsync_passcheck.require = off");
            RoleStatements.alterPassword(elsewhere, managed, used("allowed-by-superuser"));
        }
        try (Connection self = database.postgres().connect(bare, managed, "allowed-by-superuser")) {
            PSQLException denied = refusal(() -> RoleStatements.execute(self, "SET credsync_passcheck.require = off"));
            assertThat(denied.getSQLState()).as("only a superuser may switch the guard off").isEqualTo("42501");
        }
        try (Connection login = database.postgres().connect(bare, unmanaged, "unmanaged-changed-anywhere")) {
            assertThat(login.isValid(5)).as("the unmanaged role's change went through").isTrue();
        }
    }

    static Stream<Arguments> awkwardPasswords() {
        return Stream.of(
                Arguments.of("single and double quotes", "it's a \"quoted\" 'pass'"),
                Arguments.of("backslashes", "back\\slash\\\\double\\n"),
                Arguments.of("dollar quotes", "$$ and $tag$ and $_credsync_install_$"),
                Arguments.of("newlines", "line one\nline two\r\nline three"),
                Arguments.of("tabs", "tab\there\tand\tthere"),
                Arguments.of("Japanese text", "パスワードは秘密です"),
                Arguments.of("emoji", "🔐🗝️ secret 🎉"),
                Arguments.of("JSON syntax", "{\"password\": \"x\"}, ]"),
                Arguments.of("one character", "x"),
                Arguments.of("254 bytes", "é".repeat(127)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awkwardPasswords")
    void shouldRecordAwkwardPasswordsExactly(String description, String password) throws Exception {
        String role = RoleStatements.uniqueName("cap");
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(superuser, role);
            RoleStatements.alterPassword(superuser, role, used(password));
            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).hasSize(1);
            assertThat(passwordOf(events.get(0))).isEqualTo(password);
            if (password.length() >= MIN_SCANNABLE_LENGTH) {
                assertThat(events.get(0).rowText()).doesNotContain(password);
            }
        }
        try (Connection login = database.connect(role, password)) {
            assertThat(login.isValid(5)).as("the captured password is the one PostgreSQL checks").isTrue();
        }
    }

    static Stream<String> awkwardRoleNames() {
        return Stream.of("cap_o'brien", "cap_\"quoted\"", "cap_with spaces", "cap_Zoë", "cap_ユーザー");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awkwardRoleNames")
    void shouldRecordRolesWithAwkwardNames(String base) throws Exception {
        String role = RoleStatements.uniqueName(base);
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, used("name-test-" + base.length()));
            List<OutboxEvent> events = OutboxEvent.forRole(superuser, role);
            assertThat(events).hasSize(1);
            JsonNode payload = IndependentJwe.open(events.get(0).envelope(), KEYS.getPrivate());
            assertThat(payload.get("role").asText()).isEqualTo(role);
            assertThat(payload.get("password").asText()).isEqualTo("name-test-" + base.length());
        }
    }

    private static String passwordOf(OutboxEvent event) {
        return IndependentJwe.open(event.envelope(), KEYS.getPrivate()).get("password").asText();
    }

    /** Remembers a password for the scans; one too short to be told from other text is not scanned for. */
    private static String used(String password) {
        if (password.length() >= MIN_SCANNABLE_LENGTH) {
            synchronized (PASSWORDS_USED) {
                PASSWORDS_USED.add(password);
            }
        }
        return password;
    }

    private interface Statement0 {
        void run() throws SQLException;
    }

    /** Runs a statement that must be refused, and checks that the refusal does not echo the password. */
    private static PSQLException refusal(Statement0 statement) {
        try {
            statement.run();
        } catch (PSQLException e) {
            synchronized (PASSWORDS_USED) {
                for (String password : PASSWORDS_USED) {
                    assertThat(e.toString()).as("the error message").doesNotContain(password);
                    if (e.getServerErrorMessage() != null) {
                        assertThat(String.valueOf(e.getServerErrorMessage().getDetail())).doesNotContain(password);
                        assertThat(String.valueOf(e.getServerErrorMessage().getHint())).doesNotContain(password);
                        assertThat(String.valueOf(e.getServerErrorMessage().getWhere())).doesNotContain(password);
                    }
                }
            }
            return e;
        } catch (SQLException e) {
            throw new AssertionError("expected a server error", e);
        }
        throw new AssertionError("the statement was not refused");
    }

    private static String md5Verifier(String role, String password) throws Exception {
        byte[] digest = MessageDigest.getInstance("MD5").digest((password + role).getBytes(StandardCharsets.UTF_8));
        return "md5" + HexFormat.of().formatHex(digest);
    }
}
