package io.credsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.crypto.EnvelopeException;
import io.credsync.crypto.KeyUnwrapper;
import io.credsync.crypto.Password;
import io.credsync.crypto.TransientCryptoException;
import io.credsync.outbox.EventId;
import io.credsync.secrets.SecretUpdate;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretWriter;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AwsAnswersTest {

    private static final byte[] CONTENT_KEY = new byte[64];
    private final AwsAnswers answers = new AwsAnswers();

    @Test
    void bothServicesCountAsAnsweringUntilACallSaysOtherwise() {
        assertThat(answers.kmsAnswering()).isTrue();
        assertThat(answers.secretsManagerAnswering()).isTrue();
    }

    @Test
    void shouldBeAnsweringAgainOnceKmsAnswersEvenIfNoSecretIsWrittenAfterwards() throws Exception {
        KeyUnwrapper kms = answers.watching(scripted(new TransientCryptoException("ThrottlingException", "slow down",
                null)));
        assertThatThrownBy(() -> kms.unwrap("kid", new byte[256])).isInstanceOf(TransientCryptoException.class);
        assertThat(answers.kmsAnswering()).as("after a KMS blip").isFalse();
        assertThat(answers.secretsManagerAnswering()).as("a KMS blip says nothing about Secrets Manager").isTrue();

        // The next event decrypts; it is then rejected (its password does not log in): no write follows.
        answers.watching((kid, key) -> CONTENT_KEY.clone()).unwrap("kid", new byte[256]);

        assertThat(answers.kmsAnswering()).as("KMS answered the last call").isTrue();
    }

    @Test
    void aPermanentRefusalFromKmsIsAnAnswer() {
        KeyUnwrapper kms = answers.watching(scripted(new TransientCryptoException("SdkClientException", "reset",
                null)));
        assertThatThrownBy(() -> kms.unwrap("kid", new byte[256])).isInstanceOf(TransientCryptoException.class);

        KeyUnwrapper refusing = answers.watching(scripted(new EnvelopeException(EnvelopeException.Reason.ACCESS_DENIED,
                "kms:Decrypt refused", "AccessDeniedException", null)));
        assertThatThrownBy(() -> refusing.unwrap("kid", new byte[256])).isInstanceOf(EnvelopeException.class);

        assertThat(answers.kmsAnswering()).isTrue();
    }

    @Test
    void secretsManagerIsUnansweringAfterATransientFailureAndAnsweringAfterAWriteOrARefusal() throws Exception {
        SecretWriter failing = answers.watching(new ScriptedSecretWriter().failingForever("InternalServiceError"));
        assertThatThrownBy(() -> failing.write(update())).isInstanceOf(SecretWriteException.class);
        assertThat(answers.secretsManagerAnswering()).isFalse();
        assertThat(answers.kmsAnswering()).as("says nothing about KMS").isTrue();

        SecretWriter refusing = answers.watching(new ScriptedSecretWriter().thenFail("AccessDeniedException", false));
        assertThatThrownBy(() -> refusing.write(update())).isInstanceOf(SecretWriteException.class);
        assertThat(answers.secretsManagerAnswering()).as("a refusal is an answer").isTrue();
    }

    @Test
    void aSuccessfulWriteMakesSecretsManagerAnsweringAgain() throws Exception {
        SecretWriter writer = answers.watching(new ScriptedSecretWriter().thenFail("ThrottlingException", true));
        assertThatThrownBy(() -> writer.write(update())).isInstanceOf(SecretWriteException.class);
        assertThat(answers.secretsManagerAnswering()).isFalse();

        writer.write(update());

        assertThat(answers.secretsManagerAnswering()).isTrue();
    }

    private static KeyUnwrapper scripted(Exception failure) {
        return (kid, key) -> {
            if (failure instanceof EnvelopeException envelope) {
                throw envelope;
            }
            throw (TransientCryptoException) failure;
        };
    }

    private static SecretUpdate update() {
        return new SecretUpdate("credsync/db/app", new EventId(UUID.randomUUID()), "postgres", "db", 5432, "db", "app",
                Password.of("not-a-real-password"));
    }
}
