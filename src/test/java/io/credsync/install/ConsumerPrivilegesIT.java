package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.install.ConsumerPrivileges.Privilege;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A dry run plans the consumer's grants before credsync's objects exist; the real run plans them
 * after. Both must come to the same grants, or {@code install --dry-run} counts changes the run
 * does not make (it once counted 11 where a pg_tle install made 10: the adapter gives PUBLIC
 * USAGE on the schema).
 */
class ConsumerPrivilegesIT {

    private static int counter;

    @Test
    void whatADryRunAssumesOfAPgTleInstallIsWhatTheInstallGivesPublic() throws Exception {
        PostgresCluster cluster = PostgresCluster.shared();
        String database = "privileges_" + ProcessHandle.current().pid() + "_" + ++counter;
        cluster.createDatabase(database);
        cluster.psql(database, "CREATE EXTENSION pgcrypto;\n" + resource("/pgtle-stand-in.sql"));
        String role = RoleStatements.uniqueName("consumer");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            RoleStatements.createRoleWithoutPassword(c, role);
            Set<Privilege> beforeInstall = ConsumerPrivileges.read(c, role,
                    ConsumerPrivileges.grantedToPublicByInstall(InstallKind.PGTLE)).orElseThrow().missing();

            cluster.psql(database, SchemaScript.fromClasspath().pgTleScript());
            Set<Privilege> afterInstall = ConsumerPrivileges.read(c, role, Set.of()).orElseThrow().missing();

            assertThat(beforeInstall).as("what the dry run plans to grant").isEqualTo(afterInstall)
                    .doesNotContain(Privilege.SCHEMA_USAGE).contains(Privilege.OUTBOX_SELECT);
        }
    }

    @Test
    void aNativeInstallGivesPublicNothingSoADryRunPlansEveryGrant() throws Exception {
        PostgresCluster cluster = PostgresCluster.shared();
        String database = "privileges_" + ProcessHandle.current().pid() + "_" + ++counter;
        cluster.createDatabase(database);
        String role = RoleStatements.uniqueName("consumer");
        try (Connection c = cluster.connectAsSuperuser(database)) {
            RoleStatements.createRoleWithoutPassword(c, role);
            Set<Privilege> beforeInstall = ConsumerPrivileges.read(c, role,
                    ConsumerPrivileges.grantedToPublicByInstall(InstallKind.NATIVE)).orElseThrow().missing();

            cluster.psql(database, "CREATE EXTENSION credsync CASCADE;");
            Set<Privilege> afterInstall = ConsumerPrivileges.read(c, role, Set.of()).orElseThrow().missing();

            assertThat(beforeInstall).isEqualTo(afterInstall).isEqualTo(Privilege.all());
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConsumerPrivilegesIT.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
