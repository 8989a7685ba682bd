package io.credsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

    @Test
    void defaultsPreloadTheNativeModuleAndAddNoSettings() {
        ClusterOptions defaults = ClusterOptions.defaults();
        assertThat(defaults.preloadLibraries()).isEqualTo("credsync_passcheck");
        assertThat(defaults.preloadLibraryNames()).containsExactly("credsync_passcheck");
        assertThat(defaults.settings()).isEmpty();
    }

    @Test
    void withersReturnCopiesAndLeaveTheOriginalUnchanged() {
        ClusterOptions defaults = ClusterOptions.defaults();
        ClusterOptions changed = defaults.withSetting("work_mem", "8MB").withPreloadLibraries(" pg_tle , ");

        assertThat(defaults.settings()).as("the original is immutable").isEmpty();
        assertThat(changed.settings()).isEqualTo(Map.of("work_mem", "8MB"));
        assertThat(changed.preloadLibraryNames()).containsExactly("pg_tle");
        assertThatThrownBy(() -> changed.settings().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void settingNamesThatCouldInjectConfigurationAreRefused() {
        assertThatThrownBy(() -> ClusterOptions.defaults().withSetting("fsync = on\nport", "1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
