package io.credsync.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.install.InstallKind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ErrorStatementLogCheckTest {

    @Test
    void shouldBeContentWithPanicWhichLogsNoFailedStatementsText() throws Exception {
        assertThat(ErrorStatementLogCheck.verdict(Optional.of("panic"), Optional.of(InstallKind.NATIVE)).status())
                .isEqualTo(CheckStatus.OK);
    }

    @Test
    void shouldWarnOnTheNativeInstallAboutStatementsThatFailBeforeTheHook() throws Exception {
        CheckResult result = ErrorStatementLogCheck.verdict(Optional.of("error"), Optional.of(InstallKind.NATIVE));

        assertThat(result.status()).isEqualTo(CheckStatus.WARN);
        assertThat(result.detail()).startsWith("error: a password statement that fails before credsync's hook runs");
        assertThat(result.fix()).isEqualTo("set log_min_error_statement = panic (config/postgresql-credsync.conf"
                + " does) and reload");
    }

    @Test
    void shouldWarnOnPgTleAboutStatementsThatFailAfterTheHookToo() throws Exception {
        CheckResult result = ErrorStatementLogCheck.verdict(Optional.of("error"), Optional.of(InstallKind.PGTLE));

        assertThat(result.status()).isEqualTo(CheckStatus.WARN);
        assertThat(result.detail()).contains("a terminated session, a concurrent change of the role");
        assertThat(result.fix()).contains("in the DB parameter group");
    }

    @Test
    void shouldSkipWhenTheSettingCannotBeRead() {
        assertThatThrownBy(() -> ErrorStatementLogCheck.verdict(Optional.empty(), Optional.empty()))
                .isInstanceOf(CheckSkipped.class);
    }
}
