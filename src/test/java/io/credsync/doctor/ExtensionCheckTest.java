package io.credsync.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.install.SchemaScript;
import io.credsync.install.TestFacts;
import org.junit.jupiter.api.Test;

class ExtensionCheckTest {

    private static final String V = SchemaScript.VERSION;

    @Test
    void anOlderNativeExtensionWhoseFilesAreCurrentIsUpgradedByInstallWhichKeepsTheRecords() {
        CheckResult result = ExtensionCheck.judge(TestFacts.server().nativeFiles(V).installed("0.1.0").build());

        assertThat(result.status()).isEqualTo(CheckStatus.WARN);
        assertThat(result.detail()).isEqualTo("0.1.0 (native extension), older than this credsync (" + V + ")");
        assertThat(result.fix()).startsWith("credsync install (as a superuser): it runs ALTER EXTENSION credsync"
                + " UPDATE, which keeps the outbox and the delivery records");
    }

    @Test
    void anOlderNativeExtensionWithOldFilesNeedsTheFilesFirst() {
        CheckResult result = ExtensionCheck.judge(TestFacts.server().nativeFiles("0.1.0").installed("0.1.0").build());

        assertThat(result.detail()).endsWith("and the server's extension files are 0.1.0");
        assertThat(result.fix()).startsWith("on the database host, make -C sql/native install from credsync " + V)
                .contains("then credsync install");
    }

    @Test
    void anOlderPgTleExtensionIsUpgradedByInstallThroughAnUpdatePathNeverByDroppingIt() {
        CheckResult result = ExtensionCheck.judge(TestFacts.server().pgTleCreated("0.1.0").installed("0.1.0").build());

        assertThat(result.status()).isEqualTo(CheckStatus.WARN);
        assertThat(result.fix()).contains("pgtle.install_update_path", "ALTER EXTENSION credsync UPDATE",
                "never DROP EXTENSION", "credsync install --print-pgtle-sql --from 0.1.0");
    }

    @Test
    void theCurrentVersionIsOk() {
        assertThat(ExtensionCheck.judge(TestFacts.server().nativeFiles(V).installed(V).build()).status())
                .isEqualTo(CheckStatus.OK);
    }
}
