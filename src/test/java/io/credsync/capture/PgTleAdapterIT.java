package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.PgTleStandIn;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pg_tle's adapter ({@code sql/pgtle/adapter.sql}), run without pg_tle against a stand-in
 * {@code pgtle} schema ({@link PgTleStandIn}) and called as pg_tle calls it, as the user who
 * changes a password. Every login may call it; for a managed role it records the change only
 * when the caller's current user could have made that change with its own ALTER ROLE, by
 * PostgreSQL 15's rules here (see {@link PasswordPrivilegeIT} for the rule against the server's).
 */
class PgTleAdapterIT {

    private static final KeyPair KEYS = RsaKeys.pair(2048);
    private static final String LOGIN_PASSWORD = SecretScan.password("adapter-login-pass");

    private static CredsyncDatabase database;
    private static String managed;
    private static String managedSuperuser;
    private static String managedReplication;
    private static String managedBypassRls;
    private static String plain;
    private static String creator;
    private static String grantee;
    private static String viaGroup;
    private static String creatorsGroup;

    @BeforeAll
    static void installTheAdapterAgainstAStandInPgTleSchema() throws Exception {
        database = CredsyncDatabase.create("adapter");
        database.addKey("arn:aws:kms:us-east-1:111122223333:key/adapter", KEYS.getPublic());
        database.manage("adp\\_%");
        PgTleStandIn.install(database);
        managed = RoleStatements.uniqueName("adp");
        managedSuperuser = RoleStatements.uniqueName("adp_super");
        managedReplication = RoleStatements.uniqueName("adp_repl");
        managedBypassRls = RoleStatements.uniqueName("adp_bypass");
        plain = RoleStatements.uniqueName("adapter_plain");
        creator = RoleStatements.uniqueName("adapter_creator");
        grantee = RoleStatements.uniqueName("adapter_grantee");
        viaGroup = RoleStatements.uniqueName("adapter_member");
        creatorsGroup = RoleStatements.uniqueName("adapter_creators");
        try (Connection superuser = database.connectAsSuperuser()) {
            for (String role : new String[] {managed, managedSuperuser, managedReplication, managedBypassRls, plain,
                    creator, grantee, viaGroup}) {
                RoleStatements.createRole(superuser, role, LOGIN_PASSWORD);
            }
            RoleStatements.execute(superuser, "ALTER ROLE " + managedSuperuser + " SUPERUSER");
            RoleStatements.execute(superuser, "ALTER ROLE " + managedReplication + " REPLICATION");
            RoleStatements.execute(superuser, "ALTER ROLE " + managedBypassRls + " BYPASSRLS");
            RoleStatements.execute(superuser, "ALTER ROLE " + creator + " CREATEROLE");
            RoleStatements.execute(superuser, "CREATE ROLE " + creatorsGroup + " CREATEROLE");
            RoleStatements.execute(superuser, "GRANT " + creatorsGroup + " TO " + viaGroup);
            RoleStatements.execute(superuser, "GRANT USAGE ON SCHEMA credsync TO " + grantee);
            RoleStatements.execute(superuser, "GRANT EXECUTE ON FUNCTION credsync.rotate(text, integer, text) TO "
                    + grantee);
        }
    }

    @Test
    void shouldRecordTheCallersOwnPasswordChange() throws Exception {
        try (Connection connection = database.connect(managed, LOGIN_PASSWORD)) {
            assertRecorded(connection, managed);
        }
    }

    @Test
    void shouldRefuseAnotherRolesChangeFromARoleWithoutCreateRole() throws Exception {
        try (Connection connection = database.connect(plain, LOGIN_PASSWORD)) {
            assertRefused(connection, managed);
        }
    }

    @Test
    void shouldRecordAnotherRolesChangeFromACreateRoleRole() throws Exception {
        try (Connection connection = database.connect(creator, LOGIN_PASSWORD)) {
            assertRecorded(connection, managed);
        }
    }

    @Test
    void shouldCountTheRoleSetBySetRoleAsTheServerDoes() throws Exception {
        try (Connection connection = database.connect(viaGroup, LOGIN_PASSWORD)) {
            // CREATEROLE is an attribute, not a privilege: a member has it only as the role itself.
            assertRefused(connection, managed);
            RoleStatements.execute(connection, "SET ROLE " + creatorsGroup);
            assertRecorded(connection, managed);
        }
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.execute(superuser, "GRANT " + plain + " TO " + creator);
        }
        try (Connection connection = database.connect(creator, LOGIN_PASSWORD)) {
            // The other way round: a CREATEROLE session acting as a role without it has no more than that role.
            RoleStatements.execute(connection, "SET ROLE " + plain);
            assertRefused(connection, managed);
        } finally {
            try (Connection superuser = database.connectAsSuperuser()) {
                RoleStatements.execute(superuser, "REVOKE " + plain + " FROM " + creator);
            }
        }
    }

    @Test
    void shouldRefuseARotateGranteeAnotherRolesChange() throws Exception {
        try (Connection connection = database.connect(grantee, LOGIN_PASSWORD)) {
            assertRefused(connection, managed);
        }
    }

    @Test
    void shouldRefuseASuperusersChangeFromACreateRoleRole() throws Exception {
        try (Connection connection = database.connect(creator, LOGIN_PASSWORD)) {
            assertRefused(connection, managedSuperuser);
        }
        try (Connection superuser = database.connectAsSuperuser()) {
            assertRecorded(superuser, managedSuperuser);
        }
    }

    @Test
    void shouldRefuseAReplicationRolesChangeFromACreateRoleRoleButNotABypassRlsRolesOnPostgres15() throws Exception {
        try (Connection connection = database.connect(creator, LOGIN_PASSWORD)) {
            assertRefused(connection, managedReplication);
            // PostgreSQL 15's AlterRole keeps CREATEROLE from REPLICATION roles, not from BYPASSRLS ones.
            assertRecorded(connection, managedBypassRls);
        }
        try (Connection connection = database.connect(managedReplication, LOGIN_PASSWORD)) {
            // On 15 a REPLICATION role that is no superuser may not change even its own password.
            assertRefused(connection, managedReplication);
        }
    }

    @Test
    void shouldNeitherRefuseNorRecordAnUnmanagedRolesChange() throws Exception {
        long before = outboxRows();
        try (Connection connection = database.connect(plain, LOGIN_PASSWORD)) {
            call(connection, creator, "unmanaged-guess");
        }
        assertThat(outboxRows()).isEqualTo(before);
    }

    @Test
    void shouldRefuseACallMadeAsTheTableOwnerDuringASuperusersMaintenance() throws Exception {
        String table = "adapter_trap_" + ProcessHandle.current().pid();
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.execute(superuser, "GRANT CREATE ON SCHEMA public TO " + plain);
        }
        try (Connection connection = database.connect(plain, LOGIN_PASSWORD)) {
            RoleStatements.execute(connection, "CREATE TABLE public." + table + " (x integer)");
            RoleStatements.execute(connection, "INSERT INTO public." + table + " VALUES (1)");
            RoleStatements.execute(connection, "CREATE FUNCTION public." + table + "_guess(integer) RETURNS integer"
                    + " LANGUAGE plpgsql IMMUTABLE AS $$BEGIN PERFORM credsync.pgtle_passcheck('" + managedSuperuser
                    + "', 'trap-guess', 'PASSWORD_TYPE_PLAINTEXT', NULL, true); RETURN $1; END$$");
        }
        long before = outboxRows();
        try (Connection superuser = database.connectAsSuperuser()) {
            // An index build runs its expressions as the table's owner, while session_user is the superuser.
            assertThatThrownBy(() -> RoleStatements.execute(superuser, "CREATE INDEX ON public." + table + " (public."
                    + table + "_guess(x))"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        assertThat(outboxRows()).isEqualTo(before);
    }

    @Test
    void shouldNotLetACallerNameAnotherActingUserOrStoreAnything() throws Exception {
        long before = outboxRows();
        try (Connection connection = database.connect(plain, LOGIN_PASSWORD)) {
            assertThatThrownBy(() -> RoleStatements.execute(connection, "INSERT INTO credsync.pgtle_passcheck_call"
                    + " (role_name, password, password_type, valid_null, acting_user) VALUES ('" + managed
                    + "', 'forged-acting-user', 'PASSWORD_TYPE_PLAINTEXT', true, CURRENT_USER)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        assertThat(outboxRows()).isEqualTo(before);
        try (Connection superuser = database.connectAsSuperuser();
                Statement statement = superuser.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM credsync.pgtle_passcheck_call")) {
            rows.next();
            assertThat(rows.getLong(1)).as("rows the view holds").isZero();
        }
    }

    private static void assertRecorded(Connection connection, String role) throws SQLException {
        long before = rowsFor(role);
        call(connection, role, "recorded-" + role);
        assertThat(rowsFor(role)).as("events of " + role).isEqualTo(before + 1);
    }

    private static void assertRefused(Connection connection, String role) throws SQLException {
        long before = rowsFor(role);
        assertThatThrownBy(() -> call(connection, role, "refused-guess-" + role))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as(e.getMessage())
                        .isEqualTo("42501"));
        assertThat(rowsFor(role)).as("events of " + role).isEqualTo(before);
    }

    /** As pg_tle calls the hook: in the session of the user changing the password. */
    private static void call(Connection connection, String role, String password) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT credsync.pgtle_passcheck(?, ?, 'PASSWORD_TYPE_PLAINTEXT', NULL, true)")) {
            statement.setString(1, role);
            statement.setString(2, SecretScan.password(password));
            statement.execute();
        }
    }

    private static long rowsFor(String role) throws SQLException {
        try (Connection superuser = database.connectAsSuperuser()) {
            return OutboxEvent.forRole(superuser, role).size();
        }
    }

    private static long outboxRows() throws SQLException {
        try (Connection superuser = database.connectAsSuperuser()) {
            return OutboxEvent.count(superuser);
        }
    }
}
