package io.credsync.install;

import io.credsync.install.ConsumerPrivileges.Privilege;
import io.credsync.install.ConsumerPrivileges.RoleAccess;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Plans the grants that let a role run the consumer: each privilege of
 * {@link ConsumerPrivileges} it lacks, and the right to stream from a slot. A privilege the role
 * already holds (directly, through membership, or as superuser) is left alone, so a second run
 * changes nothing. Stateless and thread-safe.
 *
 * <p>The consumer's role is never created here: it needs a password, and credsync does not
 * choose or handle passwords for its own login.
 */
public final class ConsumerGrants {

    /**
     * What to grant, and what to say besides.
     *
     * @param actions the grants, empty when the role has everything
     * @param notes things the operator should fix that install does not, e.g. a role without LOGIN
     */
    public record Plan(List<InstallAction> actions, List<String> notes) {
        public Plan {
            actions = List.copyOf(actions);
            notes = List.copyOf(notes);
        }
    }

    private ConsumerGrants() {
    }

    /**
     * @param facts the server, for how REPLICATION is given (RDS's role, or the attribute)
     * @param kind the install, whose fresh objects may give PUBLIC a privilege already (see
     *     {@link ConsumerPrivileges#grantedToPublicByInstall}): in a dry run they do not exist yet
     * @param role the consumer's role
     * @throws InstallException if the role does not exist, or REPLICATION cannot be given by
     *     the current user
     */
    public static Plan plan(Connection connection, ServerFacts facts, InstallKind kind, String role)
            throws SQLException, InstallException {
        Objects.requireNonNull(role, "role");
        RoleAccess access = ConsumerPrivileges.read(connection, role, ConsumerPrivileges.grantedToPublicByInstall(kind))
                .orElseThrow(() -> new InstallException("role " + role + " does not exist: create it first (CREATE ROLE "
                        + role + " LOGIN PASSWORD '...'), then run install --consumer-role " + role + " again"));
        return plan(facts, access);
    }

    /** The grants {@code access} calls for; pure. */
    static Plan plan(ServerFacts facts, RoleAccess access) throws InstallException {
        String role = access.role();
        List<InstallAction> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Privilege privilege : access.missing()) {
            actions.add(InstallAction.sql("grant " + privilege.object() + " TO " + role,
                    "granted " + privilege.object() + " TO " + role, grant(privilege, role)));
        }
        if (!access.canReplicate()) {
            actions.add(replication(facts, role));
        }
        if (!access.canLogin()) {
            notes.add("role " + role + " cannot log in (NOLOGIN): ALTER ROLE " + role + " LOGIN, so that the"
                    + " consumer can connect");
        }
        return new Plan(actions, notes);
    }

    /** The statement that grants {@code privilege} to {@code role}. */
    static String grant(Privilege privilege, String role) {
        return "GRANT " + privilege.object() + " TO " + Sql.identifier(role);
    }

    /** How RDS and Aurora let a role stream: they keep the attribute for themselves. */
    static String rdsReplication(String role) {
        return "GRANT rds_replication TO " + Sql.identifier(role);
    }

    /** How a self-managed server lets a role stream. */
    static String replicationAttribute(String role) {
        return "ALTER ROLE " + Sql.identifier(role) + " REPLICATION";
    }

    private static InstallAction replication(ServerFacts facts, String role) throws InstallException {
        if (facts.rdsReplicationRole()) {
            return InstallAction.sql("grant rds_replication TO " + role, "granted rds_replication TO " + role,
                    rdsReplication(role));
        }
        if (!facts.superuser()) {
            throw new InstallException("role " + role + " needs the REPLICATION attribute to stream from the slot,"
                    + " and only a superuser can give it: run install as a superuser, or have one run"
                    + " ALTER ROLE " + role + " REPLICATION");
        }
        return InstallAction.sql("give " + role + " the REPLICATION attribute",
                "gave " + role + " the REPLICATION attribute", replicationAttribute(role));
    }
}
