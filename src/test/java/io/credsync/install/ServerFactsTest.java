package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerFactsTest {

    @Test
    void splitsPreloadListsWithSpacesAndQuotes() {
        assertThat(ServerFacts.splitList("pg_stat_statements, \"pg_tle\",credsync_passcheck"))
                .containsExactly("pg_stat_statements", "pg_tle", "credsync_passcheck");
        assertThat(ServerFacts.splitList("")).isEmpty();
    }

    @Test
    void preloadedReadsTheListWhenVisible() {
        ServerFacts facts = TestFacts.server().preload("pg_stat_statements,credsync_passcheck")
                .set("pgtle.enable_password_check", "on").build();

        assertThat(facts.preloaded(InstallKind.NATIVE)).isTrue();
        assertThat(facts.preloaded(InstallKind.PGTLE)).as("a pg_tle loaded by a session is not preloaded").isFalse();
    }

    @Test
    void withoutTheListAModuleCountsAsPreloadedWhenItsSettingsExist() {
        ServerFacts facts = TestFacts.server().preloadHidden().set("credsync_passcheck.require", "on").build();

        assertThat(facts.preloaded(InstallKind.NATIVE)).isTrue();
        assertThat(facts.preloaded(InstallKind.PGTLE)).isFalse();
    }

    @Test
    void anExtensionPgTleDefinesIsNeverTakenForNativeFiles() {
        // Should pg_available_extensions list pg_tle's extensions, the definition tells them apart.
        ServerFacts facts = TestFacts.server().nativeFiles("0.1.0").pgTleCreated("0.1.0").installed("0.1.0").build();

        assertThat(facts.nativeFilesAvailable()).isFalse();
        assertThat(facts.installedKind()).contains(InstallKind.PGTLE);
    }

    @Test
    void rdsIsRecognisedByItsReplicationRoleOrItsSetting() {
        assertThat(TestFacts.server().rds().build().rds()).isTrue();
        assertThat(TestFacts.server().set("rds.logical_replication", "on").build().rds()).isTrue();
        assertThat(TestFacts.server().build().rds()).isFalse();
    }
}
