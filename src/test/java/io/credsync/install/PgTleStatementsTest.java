package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.install.ConsumerPrivileges.RoleAccess;
import io.credsync.install.PgTleStatements.Request;
import io.credsync.install.RecordingConnection.Sent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What sql/pgtle/build-installer prints, what {@code install --print-pgtle-sql} prints, and what
 * install executes through pg_tle are one and the same SQL. pg_tle cannot be installed in CI, so
 * this holds the three together without it: the script's text byte for byte, and install's
 * statements as a recording connection receives them.
 */
class PgTleStatementsTest {

    private static final SchemaScript SCRIPT = SchemaScript.fromClasspath();
    private static final String ROLE = "credsync \"consumer\"";

    @Test
    void buildInstallerPrintsExactlyTheFreshInstall() throws Exception {
        assertThat(buildInstaller()).isEqualTo(PgTleStatements.installerSql(SCRIPT, Request.fresh()));
    }

    @Test
    void buildInstallerPrintsExactlyTheFreshInstallWithTheConsumersGrants() throws Exception {
        assertThat(buildInstaller("--consumer-role", ROLE)).isEqualTo(PgTleStatements.installerSql(SCRIPT,
                new Request(Optional.empty(), Optional.of(ROLE), false)));
        assertThat(buildInstaller("--consumer-role", ROLE, "--replication-attribute")).isEqualTo(
                PgTleStatements.installerSql(SCRIPT, new Request(Optional.empty(), Optional.of(ROLE), true)));
    }

    @Test
    void buildInstallerPrintsExactlyTheUpdateFromEachEarlierRelease() throws Exception {
        for (String from : SchemaScript.RELEASES.subList(0, SchemaScript.RELEASES.size() - 1)) {
            assertThat(buildInstaller("--from", from)).as("from " + from).isEqualTo(
                    PgTleStatements.installerSql(SCRIPT, new Request(Optional.of(from), Optional.empty(), false)));
            assertThat(buildInstaller("--from", from, "--consumer-role", ROLE)).as("from " + from).isEqualTo(
                    PgTleStatements.installerSql(SCRIPT, new Request(Optional.of(from), Optional.of(ROLE), false)));
        }
    }

    @Test
    void theFreshScriptCreatesPgTleOnItsOwnThenRunsInOneTransactionWhatInstallRuns() throws Exception {
        String script = PgTleStatements.installerSql(SCRIPT, new Request(Optional.empty(), Optional.of(ROLE), false));
        List<String> statements = PgTleStatements.statements(SCRIPT,
                new Request(Optional.empty(), Optional.of(ROLE), false));

        assertThat(script).contains("\nCREATE EXTENSION IF NOT EXISTS pg_tle;\nBEGIN;\n" + PgTleStatements.LOCK + ";\n"
                + String.join(";\n", statements) + ";\nCOMMIT;\n");
        List<String> executed = new ArrayList<>(send(ExtensionPlanner.plan(TestFacts.server().pgTleAvailable().rds()
                .build(), InstallKind.PGTLE, SCRIPT).actions()));
        executed.addAll(send(ConsumerGrants.plan(TestFacts.server().rds().build(), roleHoldingNothing()).actions()));

        assertThat(executed).containsExactlyElementsOf(concat(PgTleStatements.CREATE_PG_TLE, statements));
    }

    @Test
    void theUpdateScriptIsWhatInstallRunsWherePgTleDefinesAnEarlierRelease() throws Exception {
        for (String from : SchemaScript.RELEASES.subList(0, SchemaScript.RELEASES.size() - 1)) {
            Request request = new Request(Optional.of(from), Optional.of(ROLE), true);
            List<String> statements = PgTleStatements.statements(SCRIPT, request);
            List<String> executed = new ArrayList<>(send(ExtensionPlanner.plan(
                    TestFacts.server().pgTleCreated(from).installed(from).build(), InstallKind.PGTLE, SCRIPT).actions()));
            executed.addAll(send(ConsumerGrants.plan(TestFacts.server().build(), roleHoldingNothing()).actions()));

            assertThat(executed).as("from " + from).containsExactlyElementsOf(statements);
            assertThat(PgTleStatements.installerSql(SCRIPT, request)).as("from " + from)
                    .doesNotContain("CREATE EXTENSION IF NOT EXISTS pg_tle")
                    .contains("\nBEGIN;\n" + PgTleStatements.LOCK + ";\n" + String.join(";\n", statements)
                            + ";\nCOMMIT;\n");
        }
    }

    @Test
    void theUpdatePathHoldsTheUpdateScriptAndTheAdapterAndUpdatesWithAlterExtension() throws Exception {
        List<String> statements = PgTleStatements.statements(SCRIPT,
                new Request(Optional.of("0.1.0"), Optional.empty(), false));

        assertThat(statements).hasSize(3);
        assertThat(statements.get(0)).startsWith("SELECT pgtle.install_update_path(\n    'credsync',\n    '0.1.0',\n"
                + "    '0.2.0',\n    $_credsync_install_$\n").contains(SCRIPT.pgTleUpdateScript("0.1.0", "0.2.0"))
                .contains("CREATE OR REPLACE FUNCTION credsync.pgtle_passcheck(");
        assertThat(statements.subList(1, 3)).containsExactly(
                "SELECT pgtle.set_default_version('credsync', '" + SchemaScript.VERSION + "')",
                "ALTER EXTENSION credsync UPDATE TO '" + SchemaScript.VERSION + "'");
    }

    @Test
    void theGrantsLeaveOutUsageOnTheSchemaWhichTheAdapterGivesPublic() throws Exception {
        List<String> statements = PgTleStatements.statements(SCRIPT,
                new Request(Optional.empty(), Optional.of("ops"), false));

        assertThat(statements).contains("GRANT SELECT ON credsync.outbox TO \"ops\"", "GRANT rds_replication TO \"ops\"")
                .doesNotContain("GRANT USAGE ON SCHEMA credsync TO \"ops\"");
    }

    private static RoleAccess roleHoldingNothing() {
        return new RoleAccess(ROLE, true, false, false, false,
                ConsumerPrivileges.grantedToPublicByInstall(InstallKind.PGTLE));
    }

    private static List<String> send(List<InstallAction> actions) throws Exception {
        RecordingConnection recorder = new RecordingConnection();
        for (InstallAction action : actions) {
            action.statement().run(recorder.connection());
        }
        assertThat(recorder.sent()).as("no statement takes parameters: the text is all").allSatisfy(
                sent -> assertThat(sent.parameters()).isEmpty());
        return recorder.sent().stream().map(Sent::sql).toList();
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    static String buildInstaller(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "sql/pgtle/build-installer"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("build-installer's exit code").isZero();
        return printed;
    }
}
