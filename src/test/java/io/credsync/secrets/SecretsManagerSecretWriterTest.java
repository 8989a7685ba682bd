package io.credsync.secrets;

import static io.credsync.secrets.SecretsManagerErrorsTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.crypto.Password;
import io.credsync.outbox.EventId;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

class SecretsManagerSecretWriterTest {

    private static final String PASSWORD = "pw-\"never-shown\"-42";
    private static final EventId EVENT = new EventId(UUID.fromString("11111111-2222-4333-8444-555555555555"));
    private static final String TOKEN = EVENT.toString();

    private final StubSecretsManager aws = new StubSecretsManager();
    private final SecretsManagerSecretWriter writer = new SecretsManagerSecretWriter(aws, "alias/credsync",
            "written by credsync", Map.of("team", "db", "app", "orders"));

    static SecretUpdate update() {
        return new SecretUpdate("prod/orders/app", EVENT, "postgres", "db.example.com", 5432, "orders", "app",
                Password.of(PASSWORD));
    }

    @Test
    void aMissingSecretIsCreatedWithTheEventIdAsTokenAndTheConfiguredKeyDescriptionAndTags() throws Exception {
        aws.onGet(error("ResourceNotFoundException", 400))
                .onCreate(CreateSecretResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, true));
        assertThat(aws.call(0, GetSecretValueRequest.class).versionStage()).isEqualTo("AWSCURRENT");
        CreateSecretRequest create = aws.call(1, CreateSecretRequest.class);
        assertThat(create.name()).isEqualTo("prod/orders/app");
        assertThat(create.clientRequestToken()).isEqualTo(TOKEN);
        assertThat(create.kmsKeyId()).isEqualTo("alias/credsync");
        assertThat(create.description()).isEqualTo("written by credsync");
        assertThat(create.tags()).as("sorted, so the same configuration sends the same request")
                .containsExactly(Tag.builder().key("app").value("orders").build(),
                        Tag.builder().key("team").value("db").build());
        assertThat(create.secretString()).isEqualTo(SecretValue.fresh(update()));
    }

    @Test
    void withoutConfiguredMetadataTheCreateRequestCarriesNone() throws Exception {
        aws.onGet(error("ResourceNotFoundException", 400))
                .onCreate(CreateSecretResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        new SecretsManagerSecretWriter(aws, null, null, Map.of()).write(update());

        CreateSecretRequest create = aws.call(1, CreateSecretRequest.class);
        assertThat(create.kmsKeyId()).as("Secrets Manager's default key").isNull();
        assertThat(create.description()).isNull();
        assertThat(create.hasTags()).isFalse();
    }

    @Test
    void anExistingSecretGetsTheMergedValuePutToTheArnThatWasRead() throws Exception {
        aws.onGetString("{\"proxy\":\"p\",\"password\":\"old\"}")
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        PutSecretValueRequest put = aws.call(1, PutSecretValueRequest.class);
        assertThat(put.secretId()).as("not a secret recreated under the same name meanwhile")
                .isEqualTo(StubSecretsManager.ARN);
        assertThat(put.clientRequestToken()).isEqualTo(TOKEN);
        assertThat(new ObjectMapper().readTree(put.secretString()).get("proxy").asText()).isEqualTo("p");
        assertThat(new ObjectMapper().readTree(put.secretString()).get("password").asText()).isEqualTo(PASSWORD);
    }

    @Test
    void aPutRefusedBecauseTheTokensVersionExistsIsThisEventAlreadyWritten() throws Exception {
        // Real Secrets Manager's answer to a redelivery whose merged value differs from the version it made.
        aws.onGetString("{\"other\":\"changed since\"}").onPut(error("ResourceExistsException", 400));

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        assertThat(aws.calls).hasSize(2);
    }

    @Test
    void aSecretCreatedBetweenTheReadAndTheCreateIsWrittenByPut() throws Exception {
        aws.onGet(error("ResourceNotFoundException", 400))
                .onCreate(error("ResourceExistsException", 400))
                .onGetString("{\"k\":1}")
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result.created()).isFalse();
        assertThat(aws.call(3, PutSecretValueRequest.class).secretString()).contains("\"k\":1");
    }

    @Test
    void aSecretWithoutACurrentValueGetsAFreshValueByName() throws Exception {
        // GetSecretValue says ResourceNotFoundException both for no secret and for no AWSCURRENT version.
        aws.onGet(error("ResourceNotFoundException", 400))
                .onCreate(error("ResourceExistsException", 400))
                .onGet(error("ResourceNotFoundException", 400))
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        PutSecretValueRequest put = aws.call(3, PutSecretValueRequest.class);
        assertThat(put.secretId()).isEqualTo("prod/orders/app");
        assertThat(put.secretString()).isEqualTo(SecretValue.fresh(update()));
    }

    @Test
    void aRedeliveryIntoASecretWithoutACurrentValueLooksUpTheArn() throws Exception {
        aws.onGet(error("ResourceNotFoundException", 400))
                .onCreate(error("ResourceExistsException", 400))
                .onGet(error("ResourceNotFoundException", 400))
                .onPut(error("ResourceExistsException", 400))
                .onDescribe(DescribeSecretResponse.builder().arn(StubSecretsManager.ARN).build());

        assertThat(writer.write(update())).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
    }

    @Test
    void aBinarySecretIsRefusedAndNotWritten() {
        aws.onGetBinary();

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo(SecretWriteException.SECRET_NOT_JSON_OBJECT);
        assertThat(e.isTransient()).isFalse();
        assertThat(aws.calls).as("no put").hasSize(1);
    }

    @Test
    void anInvalidNameIsRefusedWithoutAskingAws() {
        SecretUpdate bad = new SecretUpdate("has space", EVENT, "postgres", "h", 5432, "d", "u", Password.of(PASSWORD));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(bad));

        assertThat(e.errorCode()).isEqualTo(SecretWriteException.INVALID_SECRET_NAME);
        assertThat(aws.calls).isEmpty();
    }

    @Test
    void aFailedReadIsReportedWithItsCodeAndWithoutTheValue() {
        aws.onGet(error("AccessDeniedException", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("AccessDeniedException");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).isEqualTo(
                "GetSecretValue of secret prod/orders/app failed with AccessDeniedException (permanent)");
        assertThat(e.getCause()).isNotNull();
    }

    @Test
    void aThrottledPutIsTransientAndAPutToAVanishedSecretIsPermanent() {
        aws.onGetString("{}").onPut(error("ThrottlingException", 400));
        SecretWriteException throttled = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        aws.onGetString("{}").onPut(error("ResourceNotFoundException", 400));
        SecretWriteException vanished = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(throttled.isTransient()).isTrue();
        assertThat(throttled.errorCode()).isEqualTo("ThrottlingException");
        assertThat(vanished.isTransient()).isFalse();
        assertThat(vanished.errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(throttled).hasMessageNotContaining(PASSWORD);
        assertThat(vanished).hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aCreateRefusedForAnotherReasonFailsWithThatCode() {
        aws.onGet(error("ResourceNotFoundException", 400)).onCreate(error("EncryptionFailure", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("EncryptionFailure");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).startsWith("CreateSecret of secret prod/orders/app");
    }

    @Test
    void noAnswerIsTransient() {
        aws.onGet(SdkClientException.create("Unable to execute HTTP request: Connection refused"));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.errorCode()).isEqualTo("SdkClientException");
    }
}
