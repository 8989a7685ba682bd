package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.Postgres17;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.SecretScan;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code credsync.rotate} rotates only what its caller could change with its own ALTER ROLE, by
 * the server's rules for its version, and only for a caller granted EXECUTE on it: a superuser
 * role only for a superuser; on PostgreSQL 15 a REPLICATION role neither; on 17 a CREATEROLE
 * caller also needs ADMIN OPTION on the role.
 */
class RotatePermissionIT {

    private static final KeyPair KEYS = RsaKeys.pair(2048);
    private static final String LOGIN_PASSWORD = SecretScan.password("rotate-login-pass");

    private static CredsyncDatabase database;
    private static String managed;
    private static String managedSuperuser;
    private static String managedReplication;
    private static String rotator;
    private static String creatingRotator;
    private static String creatorWithoutGrant;
    private static String member;
    private static String creatorsGroup;

    @BeforeAll
    static void createRolesAndGrants() throws Exception {
        database = CredsyncDatabase.create("rotateperm");
        database.addKey("arn:aws:kms:us-east-1:111122223333:key/rotateperm", KEYS.getPublic());
        database.manage("rot\\_%");
        managed = RoleStatements.uniqueName("rot");
        managedSuperuser = RoleStatements.uniqueName("rot_super");
        managedReplication = RoleStatements.uniqueName("rot_repl");
        rotator = RoleStatements.uniqueName("rot_rotator");
        creatingRotator = RoleStatements.uniqueName("rotate_creator");
        creatorWithoutGrant = RoleStatements.uniqueName("rotate_ungranted");
        member = RoleStatements.uniqueName("rotate_member");
        creatorsGroup = RoleStatements.uniqueName("rotate_creators");
        try (Connection superuser = database.connectAsSuperuser()) {
            for (String role : new String[] {managed, managedSuperuser, managedReplication, rotator, creatingRotator,
                    creatorWithoutGrant, member}) {
                RoleStatements.createRole(superuser, role, LOGIN_PASSWORD);
            }
            RoleStatements.execute(superuser, "ALTER ROLE " + managedSuperuser + " SUPERUSER");
            RoleStatements.execute(superuser, "ALTER ROLE " + managedReplication + " REPLICATION");
            RoleStatements.execute(superuser, "ALTER ROLE " + creatingRotator + " CREATEROLE");
            RoleStatements.execute(superuser, "ALTER ROLE " + creatorWithoutGrant + " CREATEROLE");
            RoleStatements.execute(superuser, "CREATE ROLE " + creatorsGroup + " CREATEROLE");
            RoleStatements.execute(superuser, "GRANT " + creatorsGroup + " TO " + member);
            for (String role : new String[] {rotator, creatingRotator, creatorsGroup}) {
                grantRotate(superuser, role);
            }
            RoleStatements.execute(superuser, "GRANT USAGE ON SCHEMA credsync TO " + member + ", "
                    + creatorWithoutGrant);
        }
    }

    @Test
    void shouldRefuseAGranteeWithoutCreateRoleAnotherRoleButRotateItsOwnPassword() throws Exception {
        try (Connection connection = database.connect(rotator, LOGIN_PASSWORD)) {
            assertRefused(connection, managed);
            assertRotated(connection, rotator);
        }
    }

    @Test
    void shouldRotateAnOrdinaryRoleForACreateRoleGrantee() throws Exception {
        try (Connection connection = database.connect(creatingRotator, LOGIN_PASSWORD)) {
            assertRotated(connection, managed);
        }
    }

    @Test
    void shouldRefuseASuperuserOrReplicationRoleToACreateRoleGranteeOnPostgres15() throws Exception {
        try (Connection connection = database.connect(creatingRotator, LOGIN_PASSWORD)) {
            assertRefused(connection, managedSuperuser);
            assertRefused(connection, managedReplication);
        }
        try (Connection superuser = database.connectAsSuperuser()) {
            assertRotated(superuser, managedSuperuser);
        }
    }

    @Test
    void shouldCountTheRoleSetBySetRole() throws Exception {
        try (Connection connection = database.connect(member, LOGIN_PASSWORD)) {
            assertRefused(connection, managed);
            RoleStatements.execute(connection, "SET ROLE " + creatorsGroup);
            assertRotated(connection, managed);
        }
    }

    @Test
    void shouldRefuseACreateRoleRoleThatWasNotGrantedRotateEvenThroughItsView() throws Exception {
        try (Connection connection = database.connect(creatorWithoutGrant, LOGIN_PASSWORD)) {
            assertRefused(connection, managed);
            long before = events(managed);
            assertThatThrownBy(() -> RoleStatements.execute(connection, "INSERT INTO credsync.rotation"
                    + " (role_name, length, alphabet) VALUES ('" + managed + "', 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as(e.getMessage())
                            .isEqualTo("42501"));
            assertThat(events(managed)).isEqualTo(before);
        }
    }

    @Test
    void shouldAskACreateRoleGranteeForAdminOptionOnPostgres17() throws Exception {
        Postgres17.installCredsyncExtension();
        try (PostgresCluster pg17 = PostgresCluster.start(Postgres17.clusterOptions())) {
            pg17.createDatabase("rotate17");
            String target = "rot_target17";
            String creator = "rotate_creator17";
            try (Connection superuser = pg17.connectAsSuperuser("rotate17")) {
                RoleStatements.execute(superuser, "CREATE EXTENSION credsync CASCADE");
                RoleStatements.execute(superuser, "SELECT credsync.manage('rot\\_%')");
                RoleStatements.execute(superuser, "CREATE ROLE " + target + " LOGIN");
                RoleStatements.execute(superuser, "CREATE ROLE " + creator + " LOGIN CREATEROLE PASSWORD "
                        + RoleStatements.literal(superuser, LOGIN_PASSWORD));
                grantRotate(superuser, creator);
            }
            try (Connection connection = pg17.connect("rotate17", creator, LOGIN_PASSWORD)) {
                assertThatThrownBy(() -> rotate(connection, target))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                                .as(e.getMessage()).isEqualTo("42501"));
            }
            try (Connection superuser = pg17.connectAsSuperuser("rotate17")) {
                RoleStatements.execute(superuser, "GRANT " + target + " TO " + creator
                        + " WITH ADMIN OPTION, INHERIT FALSE, SET FALSE");
            }
            try (Connection connection = pg17.connect("rotate17", creator, LOGIN_PASSWORD)) {
                // Allowed now; but this cluster has no hook, so nothing records the password, and rotate undoes it.
                assertThatThrownBy(() -> rotate(connection, target))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                                .as(e.getMessage()).isEqualTo("55000"));
            }
        }
    }

    private static void grantRotate(Connection superuser, String role) throws SQLException {
        RoleStatements.execute(superuser, "GRANT USAGE ON SCHEMA credsync TO " + role);
        RoleStatements.execute(superuser, "GRANT EXECUTE ON FUNCTION credsync.rotate(text, integer, text) TO " + role);
    }

    private static void assertRotated(Connection connection, String role) throws SQLException {
        long before = events(role);
        UUID event = rotate(connection, role);
        assertThat(event).as("the event id rotate returns").isNotNull();
        try (Connection superuser = database.connectAsSuperuser()) {
            assertThat(OutboxEvent.forRole(superuser, role)).hasSize((int) before + 1)
                    .last().satisfies(last -> assertThat(last.eventId()).isEqualTo(event));
        }
        // The password changed: the old one no longer logs in. Set it back for the other tests.
        assertThatThrownBy(() -> database.connect(role, LOGIN_PASSWORD).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        try (Connection superuser = database.connectAsSuperuser()) {
            RoleStatements.alterPassword(superuser, role, LOGIN_PASSWORD);
        }
    }

    private static void assertRefused(Connection connection, String role) throws SQLException {
        long before = events(role);
        assertThatThrownBy(() -> rotate(connection, role))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as(e.getMessage())
                        .isEqualTo("42501"));
        assertThat(events(role)).as("events of " + role).isEqualTo(before);
        try (Connection login = database.connect(role, LOGIN_PASSWORD)) {
            assertThat(login.isValid(5)).as("the password of " + role + " is unchanged").isTrue();
        }
    }

    private static UUID rotate(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT credsync.rotate(?)")) {
            statement.setString(1, role);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getObject(1, UUID.class);
            }
        }
    }

    private static long events(String role) throws SQLException {
        try (Connection superuser = database.connectAsSuperuser()) {
            return OutboxEvent.forRole(superuser, role).size();
        }
    }
}
