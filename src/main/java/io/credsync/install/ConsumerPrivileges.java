package io.credsync.install;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
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
 * of its drift check in {@code credsync.drift_check} (one row per managed role), counts the
 * failures that still need action in {@code credsync.failed_event} for its metrics, and streams
 * through a logical slot, which needs the REPLICATION attribute (on RDS and Aurora, membership
 * of {@code rds_replication}). {@code doctor} and {@code status}, run with the same login, also
 * read the keys and the managed role patterns.
 */
public final class ConsumerPrivileges {

    /** One privilege on one of credsync's objects. */
    public enum Privilege {
        SCHEMA_USAGE("USAGE ON SCHEMA credsync", null, "USAGE", true),
        OUTBOX_SELECT("SELECT ON credsync.outbox", "credsync.outbox", "SELECT", true),
        DELIVERY_SELECT("SELECT ON credsync.delivery", "credsync.delivery", "SELECT", true),
        DELIVERY_INSERT("INSERT ON credsync.delivery", "credsync.delivery", "INSERT", true),
        DRIFT_CHECK_WRITE("SELECT, INSERT, UPDATE, DELETE ON credsync.drift_check", "credsync.drift_check",
                "SELECT, INSERT, UPDATE, DELETE", true),
        KEY_SELECT("SELECT ON credsync.encryption_key", "credsync.encryption_key", "SELECT", false),
        MANAGED_ROLE_SELECT("SELECT ON credsync.managed_role", "credsync.managed_role", "SELECT", false),
        // The failed-events gauge, status and replay --all-failed count what still needs action here.
        FAILED_EVENT_SELECT("SELECT ON credsync.failed_event", "credsync.failed_event", "SELECT", true),
        // Which databases were released (credsync release-database): the consumer stops streaming them.
        RELEASED_DATABASE_SELECT("SELECT ON credsync.released_database", "credsync.released_database", "SELECT",
                true);

        private final String object;
        private final String relation;
        private final List<String> privileges;
        private final boolean neededToRun;

        Privilege(String object, String relation, String privileges, boolean neededToRun) {
            this.object = object;
            this.relation = relation;
            this.privileges = List.of(privileges.split(", "));
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

        /** Every privilege, in order; a new set the caller may change. */
        public static Set<Privilege> all() {
            return EnumSet.allOf(Privilege.class);
        }

        /**
         * Whether role {@code r} holds it: true or false, or null while its object does not exist
         * (the privilege functions fail on a missing one). has_table_privilege with a list answers
         * whether ANY is held, so each one is asked on its own.
         */
        String test() {
            if (relation == null) {
                return "CASE WHEN pg_catalog.to_regnamespace('credsync') IS NOT NULL"
                        + " THEN pg_catalog.has_schema_privilege(r.oid, 'credsync', 'USAGE') END";
            }
            return "CASE WHEN pg_catalog.to_regclass('" + relation + "') IS NOT NULL THEN "
                    + privileges.stream().map(p -> "pg_catalog.has_table_privilege(r.oid, '" + relation + "', '" + p
                            + "')").collect(Collectors.joining(" AND ")) + " END";
        }
    }

    /**
     * The privileges that an install of {@code kind} gives PUBLIC, which every role then holds:
     * pg_tle runs the passcheck function as the user who changes a password, calling it by its
     * qualified name, so the adapter gives PUBLIC USAGE on the schema.
     */
    public static Set<Privilege> grantedToPublicByInstall(InstallKind kind) {
        return kind == InstallKind.PGTLE ? EnumSet.of(Privilege.SCHEMA_USAGE) : EnumSet.noneOf(Privilege.class);
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
     *     superuser
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
     * @param assumedWhereMissing the privileges to count as held where their object does not
     *     exist yet: what the install about to create it gives PUBLIC (a dry run plans grants
     *     before the objects exist, and must plan exactly those the real run will make)
     * @return empty if there is no such role
     */
    public static Optional<RoleAccess> read(Connection connection, String role, Set<Privilege> assumedWhereMissing)
            throws SQLException {
        String privileges = EnumSet.allOf(Privilege.class).stream().map(Privilege::test)
                .collect(Collectors.joining(", ", ", ", ""));
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
                boolean superuser = row.getBoolean(2);
                Set<Privilege> held = EnumSet.noneOf(Privilege.class);
                for (Privilege p : Privilege.values()) {
                    boolean holds = row.getBoolean(5 + p.ordinal());
                    boolean missingObject = row.wasNull();
                    if (holds || superuser || (missingObject && assumedWhereMissing.contains(p))) {
                        held.add(p);
                    }
                }
                return Optional.of(new RoleAccess(role, row.getBoolean(1), superuser, row.getBoolean(3),
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
