package io.credsync.install;

import io.credsync.install.ConsumerPrivileges.Privilege;
import io.credsync.install.ConsumerPrivileges.RoleAccess;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
     * @param role the consumer's role
     * @param schemaExists whether credsync's schema exists now; when it does not (a dry run before
     *     the extension is created), every privilege counts as missing
     * @throws InstallException if the role does not exist, or REPLICATION cannot be given by
     *     the current user
     */
    public static Plan plan(Connection connection, ServerFacts facts, String role, boolean schemaExists)
            throws SQLException, InstallException {
        Objects.requireNonNull(role, "role");
        RoleAccess access = ConsumerPrivileges.read(connection, role, schemaExists).orElseThrow(() ->
                new InstallException("role " + role + " does not exist: create it first (CREATE ROLE " + role
                        + " LOGIN PASSWORD '...'), then run install --consumer-role " + role + " again"));
        List<InstallAction> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Privilege privilege : access.missing()) {
            String grant = "GRANT " + privilege.object();
            actions.add(InstallAction.of("grant " + privilege.object() + " TO " + role,
                    "granted " + privilege.object() + " TO " + role,
                    c -> execute(c, grant + " TO " + Sql.identifier(c, role))));
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

    private static InstallAction replication(ServerFacts facts, String role) throws InstallException {
        if (facts.rdsReplicationRole()) {
            // RDS and Aurora keep the attribute for themselves; their role grants the right.
            return InstallAction.of("grant rds_replication TO " + role, "granted rds_replication TO " + role,
                    c -> execute(c, "GRANT rds_replication TO " + Sql.identifier(c, role)));
        }
        if (!facts.superuser()) {
            throw new InstallException("role " + role + " needs the REPLICATION attribute to stream from the slot,"
                    + " and only a superuser can give it: run install as a superuser, or have one run"
                    + " ALTER ROLE " + role + " REPLICATION");
        }
        return InstallAction.of("give " + role + " the REPLICATION attribute",
                "gave " + role + " the REPLICATION attribute",
                c -> execute(c, "ALTER ROLE " + Sql.identifier(c, role) + " REPLICATION"));
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
