package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.crypto.Password;
import org.junit.jupiter.api.Test;

/** Reading the password out of a secret's value, without ever quoting the value. */
class SecretsManagerPasswordReaderTest {

    @Test
    void shouldReadThePasswordFieldOfAJsonObject() {
        StoredPassword stored = SecretsManagerPasswordReader.passwordOf("s",
                "{\"username\":\"app\",\"password\":\"pw-1\",\"other\":1}");

        assertThat(stored).isEqualTo(new StoredPassword.Found(Password.of("pw-1")));
    }

    @Test
    void shouldCallAValueThatIsNotAJsonObjectUnusableWithoutQuotingIt() {
        StoredPassword broken = SecretsManagerPasswordReader.passwordOf("s", "{\"password\":\"pw-2\"");
        StoredPassword text = SecretsManagerPasswordReader.passwordOf("s", "pw-3");

        assertThat(broken).isEqualTo(new StoredPassword.Unusable("secret s is not a JSON object",
                SecretWriteException.SECRET_NOT_JSON_OBJECT));
        assertThat(text.toString()).doesNotContain("pw-3");
    }

    @Test
    void shouldCallAValueWithTrailingTextUnusableAsTheWriterDoes() {
        String trailing = "{\"password\":\"pw-5\"} x";

        assertThat(SecretsManagerPasswordReader.passwordOf("s", trailing))
                .as("drift must not read a password out of a value the writer refuses to write into")
                .isEqualTo(new StoredPassword.Unusable("secret s is not a JSON object",
                        SecretWriteException.SECRET_NOT_JSON_OBJECT));
        assertThatThrownBy(() -> SecretValue.merged(trailing, SecretValueTest.update("pw-6")))
                .isInstanceOf(SecretWriteException.class);
    }

    @Test
    void shouldCallAValueWithoutAStringPasswordUnusable() {
        assertThat(SecretsManagerPasswordReader.passwordOf("s", "{\"password\":42}"))
                .isEqualTo(new StoredPassword.Unusable("secret s has no password field",
                        SecretWriteException.SECRET_NOT_JSON_OBJECT));
        assertThat(SecretsManagerPasswordReader.passwordOf("s", null))
                .isInstanceOf(StoredPassword.Unusable.class);
    }

    @Test
    void shouldNeverShowTheFoundPasswordInItsStringForm() {
        assertThat(SecretsManagerPasswordReader.passwordOf("s", "{\"password\":\"pw-4\"}").toString())
                .doesNotContain("pw-4");
    }
}
