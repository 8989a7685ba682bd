package io.credsync.install;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExtensionVersionsTest {

    @Test
    void comparesPartsAsNumbersSoTenComesAfterNine() {
        assertThat(ExtensionVersions.isNewer("0.10.0", "0.9.0")).isTrue();
        assertThat(ExtensionVersions.isNewer("0.9.0", "0.10.0")).isFalse();
        assertThat(ExtensionVersions.compare("0.1.0", "0.1.0")).isZero();
        assertThat(ExtensionVersions.compare("0.01.0", "0.1.0")).isZero();
    }

    @Test
    void aVersionWithMorePartsIsNewerAndTextPartsCompareAsText() {
        assertThat(ExtensionVersions.isNewer("0.1.0.1", "0.1.0")).isTrue();
        assertThat(ExtensionVersions.isNewer("0.1.0-beta", "0.1.0-alpha")).isTrue();
        assertThat(ExtensionVersions.isNewer("99999999999999999999.0", "9.0")).isTrue();
    }
}
