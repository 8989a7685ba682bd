package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class KindDetectorTest {

    private static InstallKind detect(TestFacts facts) throws InstallException {
        return KindDetector.decide(facts.build(), Optional.empty());
    }

    @Test
    void nativeWhereTheModuleIsPreloadedAndTheFilesInstalled() throws InstallException {
        assertThat(detect(TestFacts.server().preload("credsync_passcheck").nativeFiles("0.1.0")))
                .isEqualTo(InstallKind.NATIVE);
    }

    @Test
    void pgTleWherePgTleIsPreloaded() throws InstallException {
        assertThat(detect(TestFacts.server().preload("pg_tle").pgTleAvailable())).isEqualTo(InstallKind.PGTLE);
    }

    @Test
    void anInstalledExtensionKeepsItsKindWhateverIsPreloaded() throws InstallException {
        assertThat(detect(TestFacts.server().preload("").installed("0.1.0").nativeFiles("0.1.0")))
                .isEqualTo(InstallKind.NATIVE);
        assertThat(detect(TestFacts.server().preload("").installed("0.1.0").pgTleCreated("0.1.0")))
                .isEqualTo(InstallKind.PGTLE);
    }

    @Test
    void refusesToSwitchTheKindOfAnInstalledExtension() {
        ServerFacts facts = TestFacts.server().preload("pg_tle").installed("0.1.0").nativeFiles("0.1.0").build();

        assertThatThrownBy(() -> KindDetector.decide(facts, Optional.of(InstallKind.PGTLE)))
                .isInstanceOf(InstallException.class)
                .hasMessageContaining("installed in database app as a native extension, not through pg_tle");
    }

    @Test
    void withNoHookPreloadedSaysHowToSetUpEither() {
        assertThatThrownBy(() -> detect(TestFacts.server().preload("").nativeFiles("0.1.0")))
                .isInstanceOf(InstallException.class)
                .hasMessageContaining("neither credsync_passcheck nor pg_tle is in shared_preload_libraries")
                .hasMessageContaining("make -C sql/native install")
                .hasMessageContaining("pgtle.enable_password_check = require")
                .hasMessageContaining("--kind native");
    }

    @Test
    void askedForExplicitlyTheNativeInstallNeedsOnlyItsFiles() throws InstallException {
        ServerFacts facts = TestFacts.server().preload("").nativeFiles("0.1.0").build();

        assertThat(KindDetector.decide(facts, Optional.of(InstallKind.NATIVE))).isEqualTo(InstallKind.NATIVE);
    }

    @Test
    void aPreloadedModuleWithoutTheExtensionFilesSaysToInstallThem() {
        assertThatThrownBy(() -> detect(TestFacts.server().preload("credsync_passcheck")))
                .isInstanceOf(InstallException.class).hasMessageContaining("make -C sql/native install");
    }

    @Test
    void bothHooksPreloadedIsAmbiguous() {
        assertThatThrownBy(() -> detect(TestFacts.server().preload("pg_tle,credsync_passcheck")
                .nativeFiles("0.1.0").pgTleAvailable()))
                .isInstanceOf(InstallException.class).hasMessageContaining("--kind native or --kind pgtle");
    }

    @Test
    void pgTleCannotDefineCredsyncWhereTheNativeFilesExist() {
        assertThatThrownBy(() -> detect(TestFacts.server().preload("pg_tle").pgTleAvailable().nativeFiles("0.1.0")))
                .isInstanceOf(InstallException.class).hasMessageContaining("pg_tle refuses");
    }

    @Test
    void pgTleMustBeAvailable() {
        assertThatThrownBy(() -> KindDetector.decide(TestFacts.server().preload("").build(),
                Optional.of(InstallKind.PGTLE)))
                .isInstanceOf(InstallException.class).hasMessageContaining("pg_tle is not available");
    }
}
