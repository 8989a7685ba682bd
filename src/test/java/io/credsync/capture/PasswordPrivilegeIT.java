package io.credsync.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.Postgres17;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code credsync.may_set_password}, the rule rotate and the pg_tle adapter apply, against the
 * server's own: for every pair of acting role and target, the server's {@code ALTER ROLE} as that
 * role (through SET ROLE, so GetUserId() is the acting role) succeeds exactly when the function
 * says it may; on PostgreSQL 15, and on 17, where CREATEROLE also needs ADMIN OPTION.
 */
class PasswordPrivilegeIT {

    /** A role's attributes, as CREATE ROLE writes them. */
    private static final Map<String, String> ATTRIBUTES = new LinkedHashMap<>();

    static {
        ATTRIBUTES.put("super", "SUPERUSER");
        ATTRIBUTES.put("createrole", "CREATEROLE");
        ATTRIBUTES.put("admin", "CREATEROLE");
        ATTRIBUTES.put("admin_nocreaterole", "");
        ATTRIBUTES.put("group_admin", "CREATEROLE");
        ATTRIBUTES.put("plain", "");
        ATTRIBUTES.put("replication", "REPLICATION");
        ATTRIBUTES.put("bypassrls", "BYPASSRLS");
        ATTRIBUTES.put("target", "");
        ATTRIBUTES.put("target_replication", "REPLICATION");
        ATTRIBUTES.put("target_bypassrls", "BYPASSRLS");
        ATTRIBUTES.put("target_super", "SUPERUSER");
    }

    @Test
    void shouldAgreeWithPostgres15sOwnAlterRoleForEveryActingRoleAndTarget() throws Exception {
        CredsyncDatabase database = CredsyncDatabase.create("privrules");
        try (Connection superuser = database.connectAsSuperuser()) {
            Map<String, Boolean> verdicts = compare(superuser);

            // PostgreSQL 15: CREATEROLE covers any role but superuser and REPLICATION ones, ADMIN OPTION aside;
            // a REPLICATION role may not even change its own password; BYPASSRLS is no obstacle to a password.
            assertThat(verdicts).containsEntry("createrole -> target", true)
                    .containsEntry("createrole -> target_bypassrls", true)
                    .containsEntry("createrole -> target_replication", false)
                    .containsEntry("createrole -> target_super", false)
                    .containsEntry("replication -> replication", false)
                    .containsEntry("bypassrls -> bypassrls", true)
                    .containsEntry("plain -> target", false)
                    .containsEntry("admin_nocreaterole -> target", false);
        }
    }

    @Test
    void shouldAgreeWithPostgres17sOwnAlterRoleForEveryActingRoleAndTarget() throws Exception {
        Postgres17.installCredsyncExtension();
        try (PostgresCluster pg17 = PostgresCluster.start(Postgres17.clusterOptions())) {
            pg17.createDatabase("privrules17");
            try (Connection superuser = pg17.connectAsSuperuser("privrules17")) {
                RoleStatements.execute(superuser, "CREATE EXTENSION credsync CASCADE");
                Map<String, Boolean> verdicts = compare(superuser);

                // 16 and later: CREATEROLE needs ADMIN OPTION on the role, which may come through a group;
                // REPLICATION and BYPASSRLS roles are no longer kept from it, nor from themselves.
                assertThat(verdicts).containsEntry("createrole -> target", false)
                        .containsEntry("admin -> target", true)
                        .containsEntry("group_admin -> target", true)
                        .containsEntry("admin_nocreaterole -> target", false)
                        .containsEntry("admin -> target_replication", true)
                        .containsEntry("admin -> target_super", false)
                        .containsEntry("replication -> replication", true);
            }
        }
    }

    /**
     * Creates the roles, then asks the server and the function about every pair; asserts they agree.
     *
     * @return the server's verdict by "acting -> target", the target "new" being a CREATE ROLE
     */
    private static Map<String, Boolean> compare(Connection superuser) throws SQLException {
        String prefix = RoleStatements.uniqueName("pr");
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, String> role : ATTRIBUTES.entrySet()) {
            String name = prefix + "_" + role.getKey();
            names.put(role.getKey(), name);
            RoleStatements.execute(superuser, "CREATE ROLE " + name + " " + role.getValue());
        }
        String group = prefix + "_admins";
        RoleStatements.execute(superuser, "CREATE ROLE " + group);
        for (String target : List.of("target", "target_replication", "target_bypassrls", "target_super")) {
            RoleStatements.execute(superuser, "GRANT " + names.get(target) + " TO " + names.get("admin") + ", "
                    + names.get("admin_nocreaterole") + " WITH ADMIN OPTION");
            RoleStatements.execute(superuser, "GRANT " + names.get(target) + " TO " + group + " WITH ADMIN OPTION");
        }
        RoleStatements.execute(superuser, "GRANT " + group + " TO " + names.get("group_admin"));

        Map<String, Boolean> verdicts = new LinkedHashMap<>();
        List<String> disagreements = new ArrayList<>();
        superuser.setAutoCommit(false);
        try {
            for (Map.Entry<String, String> acting : names.entrySet()) {
                List<Map.Entry<String, String>> targets = new ArrayList<>(names.entrySet());
                targets.add(Map.entry("new", prefix + "_new"));
                for (Map.Entry<String, String> target : targets) {
                    String pair = acting.getKey() + " -> " + target.getKey();
                    boolean server = serverAllows(superuser, acting.getValue(), target.getKey().equals("new")
                            ? "CREATE ROLE " + target.getValue() : "ALTER ROLE " + target.getValue());
                    boolean function = functionAllows(superuser, acting.getValue(), target.getValue());
                    verdicts.put(pair, server);
                    if (server != function) {
                        disagreements.add(pair + ": the server " + (server ? "allows" : "refuses")
                                + " it, may_set_password says " + function);
                    }
                }
            }
        } finally {
            superuser.rollback();
            superuser.setAutoCommit(true);
        }
        assertThat(disagreements).as("pairs where may_set_password and the server disagree").isEmpty();
        assertThat(verdicts.values()).as("both verdicts occur").contains(true, false);
        return verdicts;
    }

    /**
     * Whether {@code statement} PASSWORD NULL succeeds as {@code acting}. AlterRole checks a
     * password option the same whatever its value, and a refused statement then writes no
     * password to the server log.
     */
    private static boolean serverAllows(Connection superuser, String acting, String statement) throws SQLException {
        try (Statement sql = superuser.createStatement()) {
            sql.execute("SAVEPOINT probe");
            try {
                sql.execute("SET LOCAL ROLE " + acting);
                sql.execute(statement + " PASSWORD NULL");
                return true;
            } catch (SQLException e) {
                assertThat(e.getSQLState()).as(statement + " as " + acting + ": " + e.getMessage()).isEqualTo("42501");
                return false;
            } finally {
                sql.execute("ROLLBACK TO SAVEPOINT probe");
            }
        }
    }

    private static boolean functionAllows(Connection superuser, String acting, String target) throws SQLException {
        try (PreparedStatement sql = superuser.prepareStatement("SELECT credsync.may_set_password(?, ?)")) {
            sql.setString(1, acting);
            sql.setString(2, target);
            try (ResultSet row = sql.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }
}
