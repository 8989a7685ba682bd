package io.credsync.install;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The privileges the consumer's role needs, and which of them a role holds: one list, so that
 * what install grants and what doctor checks cannot drift apart. Stateless and thread-safe.
 *
 * <p>The consumer ({@code credsync run}) reads the outbox, records outcomes in
 * {@code credsync.delivery} (INSERT ... ON CONFLICT DO NOTHING, so no UPDATE), keeps the verdicts
 * of its drift check in {@code credsync.drift_check} (one row per managed role), and streams
 * through a logical slot, which needs the REPLICATION attribute (on RDS and Aurora, membership
 * of {@code rds_replication}). {@code doctor} and {@code status}, run with the same login, also
 * read the keys and the managed role patterns.
 */
public final class ConsumerPrivileges {

    /** One privilege on one of credsync's objects. */
    public enum Privilege {
        SCHEMA_USAGE("USAGE ON SCHEMA credsync", "has_schema_privilege(r.oid, 'credsync', 'USAGE')", true),
        OUTBOX_SELECT("SELECT ON credsync.outbox", "has_table_privilege(r.oid, 'credsync.outbox', 'SELECT')", true),
        DELIVERY_SELECT("SELECT ON credsync.delivery",
                "has_table_privilege(r.oid, 'credsync.delivery', 'SELECT')", true),
        DELIVERY_INSERT("INSERT ON credsync.delivery",
                "has_table_privilege(r.oid, 'credsync.delivery', 'INSERT')", true),
        // has_table_privilege with a list answers whether ANY is held: each one is asked on its own.
        DRIFT_CHECK_WRITE("SELECT, INSERT, UPDATE, DELETE ON credsync.drift_check",
                "has_table_privilege(r.oid, 'credsync.drift_check', 'SELECT')"
                        + " AND has_table_privilege(r.oid, 'credsync.drift_check', 'INSERT')"
                        + " AND has_table_privilege(r.oid, 'credsync.drift_check', 'UPDATE')"
                        + " AND has_table_privilege(r.oid, 'credsync.drift_check', 'DELETE')", true),
        KEY_SELECT("SELECT ON credsync.encryption_key",
                "has_table_privilege(r.oid, 'credsync.encryption_key', 'SELECT')", false),
        MANAGED_ROLE_SELECT("SELECT ON credsync.managed_role",
                "has_table_privilege(r.oid, 'credsync.managed_role', 'SELECT')", false);

        private final String object;
        private final String test;
        private final boolean neededToRun;

        Privilege(String object, String test, boolean neededToRun) {
            this.object = object;
            this.test = test;
            this.neededToRun = neededToRun;
        }

        /** As GRANT writes it, e.g. {@code SELECT ON credsync.outbox}. */
        public String object() {
            return object;
        }

        /** Whether {@code credsync run} needs it (the others serve doctor and status). */
        public boolean neededToRun() {
            return neededToRun;
        }
    }

    /**
     * What a role may do, as far as credsync cares.
     *
     * @param role the role's name
     * @param canLogin whether it has LOGIN
     * @param superuser whether it is a superuser (which holds every privilege)
     * @param replicationAttribute whether it has the REPLICATION attribute
     * @param rdsReplication whether it is a member of {@code rds_replication}
     * @param held the privileges it holds, directly, through a role it belongs to, or as
     *     superuser; empty while credsync's schema does not exist
     */
    public record RoleAccess(String role, boolean canLogin, boolean superuser, boolean replicationAttribute,
            boolean rdsReplication, Set<Privilege> held) {
        public RoleAccess {
            Objects.requireNonNull(role, "role");
            held = Collections.unmodifiableSet(held.isEmpty() ? EnumSet.noneOf(Privilege.class) : EnumSet.copyOf(held));
        }

        /** Whether it may stream from a logical slot. */
        public boolean canReplicate() {
            return superuser || replicationAttribute || rdsReplication;
        }

        /** The privileges it lacks, in the order of {@link Privilege}. */
        public Set<Privilege> missing() {
            Set<Privilege> missing = EnumSet.allOf(Privilege.class);
            missing.removeAll(held);
            return missing;
        }
    }

    private ConsumerPrivileges() {
    }

    /**
     * Reads what {@code role} may do.
     *
     * @param schemaExists whether the schema credsync exists (the privilege functions fail on a
     *     missing one)
     * @return empty if there is no such role
     */
    public static Optional<RoleAccess> read(Connection connection, String role, boolean schemaExists)
            throws SQLException {
        String privileges = schemaExists
                ? EnumSet.allOf(Privilege.class).stream().map(p -> p.test).collect(Collectors.joining(", ", ", ", ""))
                : "";
        // pg_has_role is strict: where rds_replication does not exist it yields null, read as false.
        String sql = "SELECT r.rolcanlogin, r.rolsuper, r.rolreplication,"
                + " coalesce(pg_catalog.pg_has_role(r.oid, (SELECT g.oid FROM pg_catalog.pg_roles g"
                + " WHERE g.rolname = 'rds_replication'), 'MEMBER'), false)" + privileges
                + " FROM pg_catalog.pg_roles r WHERE r.rolname = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, role);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Set<Privilege> held = EnumSet.noneOf(Privilege.class);
                if (schemaExists) {
                    for (Privilege p : Privilege.values()) {
                        if (row.getBoolean(5 + p.ordinal())) {
                            held.add(p);
                        }
                    }
                } else if (row.getBoolean(2)) {
                    held = EnumSet.allOf(Privilege.class);
                }
                return Optional.of(new RoleAccess(role, row.getBoolean(1), row.getBoolean(2), row.getBoolean(3),
                        row.getBoolean(4), held));
            }
        }
    }

    /** Whether the schema credsync exists in the current database. */
    public static boolean schemaExists(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'credsync')");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getBoolean(1);
        }
    }
}
