package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.install.RecordingConnection.Sent;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionPlannerTest {

    private static final String V = SchemaScript.VERSION;
    private static final SchemaScript SCRIPT = SchemaScript.fromClasspath();

    private static ExtensionPlanner.Plan plan(TestFacts facts, InstallKind kind) throws InstallException {
        return ExtensionPlanner.plan(facts.build(), kind, SCRIPT);
    }

    private static List<Sent> send(ExtensionPlanner.Plan plan) throws SQLException {
        RecordingConnection recorder = new RecordingConnection();
        for (InstallAction action : plan.actions()) {
            action.statement().run(recorder.connection());
        }
        return recorder.sent();
    }

    private static List<String> planned(ExtensionPlanner.Plan plan) {
        return plan.actions().stream().map(InstallAction::planned).toList();
    }

    @Test
    void nativeCreatesTheExtensionFromTheServersFilesWithPgcrypto() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().nativeFiles(V), InstallKind.NATIVE);

        assertThat(planned(plan)).containsExactly("would create extension credsync " + V + " (native) with pgcrypto");
        assertThat(send(plan)).extracting(Sent::sql).containsExactly("CREATE EXTENSION IF NOT EXISTS credsync CASCADE");
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void nativeAtTheFilesVersionChangesNothing() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().nativeFiles(V).installed(V), InstallKind.NATIVE);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.state()).isEqualTo("credsync " + V + " (native extension) in database app");
    }

    @Test
    void nativeUpdatesToNewerFiles() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().nativeFiles("9.0.0").installed(V), InstallKind.NATIVE);

        assertThat(planned(plan)).containsExactly("would update extension credsync from " + V + " to 9.0.0");
        assertThat(send(plan)).extracting(Sent::sql).containsExactly("ALTER EXTENSION credsync UPDATE TO '9.0.0'");
        assertThat(plan.notes()).singleElement().asString().contains("this credsync is version " + V);
    }

    @Test
    void nativeFilesOlderThanTheInstalledExtensionAreNotedNotDowngraded() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().nativeFiles("0.0.1").installed(V), InstallKind.NATIVE);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("older than the installed " + V));
    }

    @Test
    void nativeExtensionWhoseFilesWereRemovedIsLeftAloneWithANote() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().installed(V), InstallKind.NATIVE);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.notes()).singleElement().asString().contains("files are no longer on the server");
    }

    @Test
    void pgTleOnAFreshDatabaseCreatesPgTleDefinesCredsyncAndCreatesIt() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleAvailable(), InstallKind.PGTLE);

        assertThat(planned(plan)).containsExactly(
                "would create extension pg_tle (committed on its own)",
                "would define credsync " + V + " in pg_tle (pgtle.install_extension, "
                        + SCRIPT.pgTleScript().length() + " characters of credsync.sql and adapter.sql)",
                "would create extension credsync " + V + " (pg_tle) with pgcrypto");
        assertThat(plan.actions()).extracting(InstallAction::commitAlone).containsExactly(true, false, false);
        assertThat(send(plan)).extracting(Sent::sql).containsExactly(
                "CREATE EXTENSION IF NOT EXISTS pg_tle",
                PgTleStatements.installExtension(SCRIPT),
                "CREATE EXTENSION IF NOT EXISTS credsync VERSION '" + V + "' CASCADE");
        assertThat(PgTleStatements.installExtension(SCRIPT)).contains("\n" + SCRIPT.pgTleScript() + "\n",
                "ARRAY['pgcrypto']");
    }

    @Test
    void pgTleWithAnEarlierReleaseInstalledAddsTheUpdatePathAndUpdatesKeepingTheData() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleCreated("0.1.0").installed("0.1.0"),
                InstallKind.PGTLE);

        assertThat(planned(plan)).containsExactly(
                "would add the update from credsync 0.1.0 to " + V + " to pg_tle (pgtle.install_update_path)",
                "would make credsync " + V + " pg_tle's default version (pgtle.set_default_version)",
                "would update extension credsync from 0.1.0 to " + V);
        assertThat(send(plan)).extracting(Sent::sql).containsExactly(
                PgTleStatements.installUpdatePath(SCRIPT, "0.1.0", V),
                "SELECT pgtle.set_default_version('credsync', '" + V + "')",
                "ALTER EXTENSION credsync UPDATE TO '" + V + "'");
        assertThat(plan.state()).isEqualTo("credsync " + V + " (pg_tle) in database app");
    }

    @Test
    void pgTleThatAlreadyHasTheUpdatePathOnlyUpdates() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleCreated("0.1.0", V).installed("0.1.0"),
                InstallKind.PGTLE);

        assertThat(planned(plan)).containsExactly("would update extension credsync from 0.1.0 to " + V);
    }

    @Test
    void pgTleDefiningAnEarlierReleaseWithoutCredsyncCreatedAddsTheUpdatePathAndCreatesThisVersion()
            throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleCreated("0.1.0"), InstallKind.PGTLE);

        assertThat(send(plan)).extracting(Sent::sql).containsExactly(
                PgTleStatements.installUpdatePath(SCRIPT, "0.1.0", V),
                "SELECT pgtle.set_default_version('credsync', '" + V + "')",
                "CREATE EXTENSION IF NOT EXISTS credsync VERSION '" + V + "' CASCADE");
    }

    @Test
    void pgTleAlreadyDefinedAndCreatedAtThisVersionChangesNothing() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleCreated(V).installed(V), InstallKind.PGTLE);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.state()).isEqualTo("credsync " + V + " (pg_tle) in database app");
    }

    @Test
    void pgTleDefinedButNotCreatedOnlyCreatesIt() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleCreated(V), InstallKind.PGTLE);

        assertThat(planned(plan)).containsExactly("would create extension credsync " + V + " (pg_tle) with pgcrypto");
    }

    @Test
    void pgTleDefiningAVersionThatIsNoReleaseIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> plan(TestFacts.server().pgTleCreated("0.0.9"), InstallKind.PGTLE))
                .isInstanceOf(InstallException.class)
                .hasMessageContaining("pg_tle defines credsync 0.0.9")
                .hasMessageContaining("not a release this credsync")
                .hasMessageContaining("SELECT pgtle.uninstall_extension('credsync')");
    }

    @Test
    void pgTleWithANewerExtensionInstalledChangesNothingAndSaysSo() throws Exception {
        ExtensionPlanner.Plan plan = plan(TestFacts.server().pgTleCreated("9.0.0").installed("9.0.0"),
                InstallKind.PGTLE);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.notes()).singleElement().asString().contains("newer than this credsync");
    }
}
