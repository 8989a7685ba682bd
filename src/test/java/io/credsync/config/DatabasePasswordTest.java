package io.credsync.config;

import static io.credsync.config.ConfigFixtures.PASSWORD;
import static io.credsync.config.ConfigFixtures.environment;
import static io.credsync.config.ConfigFixtures.load;
import static io.credsync.config.ConfigFixtures.minimalEnvironment;
import static io.credsync.config.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabasePasswordTest {

    @TempDir
    Path dir;

    @Test
    void thePasswordComesFromTheVariableThatPasswordEnvNames() throws Exception {
        DatabaseConfig db = load(environment("CREDSYNC_DATABASE_PASSWORD_ENV", "PGPASSWORD",
                "PGPASSWORD", "from-pgpassword")).database();

        assertThat(db.passwordEnv()).contains("PGPASSWORD");
        assertThat(db.password().orElseThrow().reveal()).isEqualTo("from-pgpassword");
    }

    @Test
    void anUnsetPasswordVariableIsNamedInTheMessage() {
        Map<String, String> env = minimalEnvironment();
        env.remove("CREDSYNC_DB_PASSWORD");

        assertThatThrownBy(() -> load(env))
                .hasMessageStartingWith("database.password_env: environment variable CREDSYNC_DB_PASSWORD is not set");
    }

    @Test
    void anEmptyPasswordVariableIsRefused() {
        assertThatThrownBy(() -> load(environment("CREDSYNC_DB_PASSWORD", "")))
                .hasMessageStartingWith("database.password_env: environment variable CREDSYNC_DB_PASSWORD is empty");
    }

    @Test
    void aPasswordPastedIntoPasswordEnvIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> load(environment("CREDSYNC_DATABASE_PASSWORD_ENV", "p@ss word!")))
                .hasMessageStartingWith("database.password_env: must be the name of an environment variable")
                .hasMessageNotContaining("p@ss");
    }

    @Test
    void thePasswordFileLosesItsTrailingNewlineAndNothingElse() throws Exception {
        Path file = write(dir, "pw", "  spaced pw \n");

        DatabaseConfig db = load(environment("CREDSYNC_DATABASE_PASSWORD_FILE", file.toString())).database();

        assertThat(db.password().orElseThrow().reveal()).isEqualTo("  spaced pw ");
        assertThat(db.passwordFile()).contains(file);
        assertThat(db.passwordEnv()).as("the file, not a variable, is the source").isEmpty();
    }

    @Test
    void aWindowsLineEndingIsStrippedToo() throws Exception {
        Path file = write(dir, "pw", "pw\r\n");

        assertThat(load(environment("CREDSYNC_DATABASE_PASSWORD_FILE", file.toString()))
                .database().password().orElseThrow().reveal()).isEqualTo("pw");
    }

    @Test
    void aMissingPasswordFileIsNamedInTheMessage() {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> load(environment("CREDSYNC_DATABASE_PASSWORD_FILE", missing.toString())))
                .hasMessage("database.password_file: cannot read " + missing + ": no such file"
                        + " (from environment variable CREDSYNC_DATABASE_PASSWORD_FILE)");
    }

    @Test
    void anEmptyPasswordFileIsRefused() throws Exception {
        Path file = write(dir, "pw", "\n");

        assertThatThrownBy(() -> load(environment("CREDSYNC_DATABASE_PASSWORD_FILE", file.toString())))
                .hasMessageStartingWith("database.password_file: " + file + " is empty");
    }

    @Test
    void aHugeFileIsNotTakenForAPassword() throws Exception {
        Path file = Files.write(dir.resolve("big"), new byte[70_000]);

        assertThatThrownBy(() -> load(environment("CREDSYNC_DATABASE_PASSWORD_FILE", file.toString())))
                .hasMessageStartingWith("database.password_file: " + file + " is larger than 64 KiB");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedWithoutItsContent() throws Exception {
        Path file = Files.write(dir.resolve("pw"), new byte[] {'p', (byte) 0xff, 'w'});

        assertThatThrownBy(() -> load(environment("CREDSYNC_DATABASE_PASSWORD_FILE", file.toString())))
                .hasMessageStartingWith("database.password_file: cannot read " + file + ": not UTF-8 text");
    }

    @Test
    void settingBothAVariableAndAFileIsRefused() throws Exception {
        Path file = write(dir, "c.yaml", "database:\n  password_env: PW\n  password_file: /run/secrets/pw\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("database.password_file: set either database.password_env or database.password_file, not both");
    }

    @Test
    void iamAuthenticationAsksForNoPasswordAndSignsForTheAwsRegion() throws Exception {
        Path file = write(dir, "c.yaml", "database:\n  auth: iam\n  ssl_mode: verify-full\n");
        Map<String, String> env = minimalEnvironment();
        env.remove("CREDSYNC_DB_PASSWORD");

        CredsyncConfig config = CredsyncConfig.load(file, env);
        DatabaseConfig database = config.database();

        assertThat(database.auth()).isEqualTo(DatabaseConfig.Auth.IAM);
        assertThat(database.password()).as("no password is read").isEmpty();
        assertThat(database.iamRegion()).contains(config.aws().region());
    }

    @Test
    void iamAuthenticationWithoutSslIsRefused() throws Exception {
        Path file = write(dir, "c.yaml", "database:\n  auth: iam\n  ssl_mode: disable\n");

        assertThatThrownBy(() -> CredsyncConfig.load(file, minimalEnvironment()))
                .hasMessage("database.ssl_mode: RDS IAM authentication needs SSL: use require, verify-ca or"
                        + " verify-full, got disable");
    }

    @Test
    void noMessageOrPrintoutContainsThePassword() throws Exception {
        Map<String, String> env = environment("CREDSYNC_DATABASE_PORT", "0");

        assertThatThrownBy(() -> load(env)).hasMessageNotContaining(PASSWORD);
        assertThat(load(minimalEnvironment()).database().toString())
                .doesNotContain(PASSWORD).contains("password=Optional[****]");
    }
}
