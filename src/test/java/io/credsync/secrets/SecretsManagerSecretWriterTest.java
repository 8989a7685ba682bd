package io.credsync.secrets;

import static io.credsync.secrets.SecretsManagerErrorsTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.crypto.Password;
import io.credsync.outbox.EventId;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

class SecretsManagerSecretWriterTest {

    private static final String PASSWORD = "pw-\"never-shown\"-42";
    private static final EventId EVENT = new EventId(UUID.fromString("11111111-2222-4333-8444-555555555555"));
    private static final String TOKEN = EVENT.toString();

    private final StubSecretsManager aws = new StubSecretsManager();
    private final SecretsManagerSecretWriter writer = new SecretsManagerSecretWriter(aws, "alias/credsync",
            "written by credsync", Map.of("team", "db", "app", "orders"), Set.of("allowed"));

    static SecretUpdate update() {
        return update("app");
    }

    static SecretUpdate update(String role) {
        return new SecretUpdate("prod/orders/app", EVENT, "postgres", "db.example.com", 5432, "orders", role,
                Password.of(PASSWORD));
    }

    /** DescribeSecret's answer for a secret with nothing in the way. */
    private static DescribeSecretResponse.Builder described() {
        return DescribeSecretResponse.builder().arn(StubSecretsManager.ARN).name("prod/orders/app");
    }

    @Test
    void aMissingSecretIsCreatedWithTheEventIdAsTokenAndTheConfiguredKeyDescriptionAndTags() throws Exception {
        aws.onDescribe(error("ResourceNotFoundException", 400))
                .onCreate(CreateSecretResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, true));
        assertThat(aws.call(0, DescribeSecretRequest.class).secretId()).isEqualTo("prod/orders/app");
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
        aws.onDescribe(error("ResourceNotFoundException", 400))
                .onCreate(CreateSecretResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        new SecretsManagerSecretWriter(aws, null, null, Map.of(), Set.of()).write(update());

        CreateSecretRequest create = aws.call(1, CreateSecretRequest.class);
        assertThat(create.kmsKeyId()).as("Secrets Manager's default key").isNull();
        assertThat(create.description()).isNull();
        assertThat(create.hasTags()).isFalse();
    }

    @Test
    void anExistingSecretIsReadAndGetsTheMergedValuePutToTheArnThatWasDescribed() throws Exception {
        aws.onDescribe(described().build())
                .onGetString("{\"proxy\":\"p\",\"password\":\"old\"}")
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        GetSecretValueRequest get = aws.call(1, GetSecretValueRequest.class);
        assertThat(get.secretId()).as("the secret whose metadata was checked").isEqualTo(StubSecretsManager.ARN);
        assertThat(get.versionStage()).isEqualTo("AWSCURRENT");
        PutSecretValueRequest put = aws.call(2, PutSecretValueRequest.class);
        assertThat(put.secretId()).as("not a secret recreated under the same name meanwhile")
                .isEqualTo(StubSecretsManager.ARN);
        assertThat(put.clientRequestToken()).isEqualTo(TOKEN);
        assertThat(new ObjectMapper().readTree(put.secretString()).get("proxy").asText()).isEqualTo("p");
        assertThat(new ObjectMapper().readTree(put.secretString()).get("password").asText()).isEqualTo(PASSWORD);
    }

    @Test
    void aPutRefusedBecauseTheTokensVersionExistsIsThisEventAlreadyWritten() throws Exception {
        // Real Secrets Manager's answer to a redelivery whose merged value differs from the version it made.
        aws.onDescribe(described().build()).onGetString("{\"other\":\"changed since\"}")
                .onPut(error("ResourceExistsException", 400));

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        assertThat(aws.calls).hasSize(3);
    }

    @Test
    void aSecretCreatedBetweenTheDescriptionAndTheCreateIsCheckedAndWrittenByPut() throws Exception {
        aws.onDescribe(error("ResourceNotFoundException", 400))
                .onCreate(error("ResourceExistsException", 400))
                .onDescribe(described().build())
                .onGetString("{\"k\":1}")
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result.created()).isFalse();
        assertThat(aws.call(4, PutSecretValueRequest.class).secretString()).contains("\"k\":1");
    }

    @Test
    void aSecretCreatedMeanwhileByAnotherServiceIsRefusedLikeAnyOther() {
        aws.onDescribe(error("ResourceNotFoundException", 400))
                .onCreate(error("ResourceExistsException", 400))
                .onDescribe(described().owningService("rds").build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("SecretOwnedByService");
        assertThat(aws.calls).as("no read, no put").hasSize(3);
    }

    @Test
    void aSecretWithoutACurrentValueGetsAFreshValue() throws Exception {
        // GetSecretValue says ResourceNotFoundException for a secret without an AWSCURRENT version.
        aws.onDescribe(described().build())
                .onGet(error("ResourceNotFoundException", 400))
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update());

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        PutSecretValueRequest put = aws.call(2, PutSecretValueRequest.class);
        assertThat(put.secretId()).isEqualTo(StubSecretsManager.ARN);
        assertThat(put.secretString()).isEqualTo(SecretValue.fresh(update()));
    }

    @Test
    void aRedeliveryIntoASecretWhoseArnNoAnswerGaveLooksItUp() throws Exception {
        aws.onDescribe(DescribeSecretResponse.builder().build())
                .onGet(error("ResourceNotFoundException", 400))
                .onPut(error("ResourceExistsException", 400))
                .onDescribe(described().build());

        assertThat(writer.write(update())).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
        assertThat(aws.call(2, PutSecretValueRequest.class).secretId()).isEqualTo("prod/orders/app");
    }

    @Test
    void aBinarySecretIsRefusedAndNotWritten() {
        aws.onDescribe(described().build()).onGetBinary();

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo(SecretWriteException.SECRET_NOT_JSON_OBJECT);
        assertThat(e.isTransient()).isFalse();
        assertThat(aws.calls).as("no put").hasSize(2);
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
        aws.onDescribe(described().build()).onGet(error("AccessDeniedException", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("AccessDeniedException");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).isEqualTo(
                "GetSecretValue of secret prod/orders/app failed with AccessDeniedException (permanent)");
        assertThat(e.getCause()).isNotNull();
    }

    @Test
    void aDeniedDescriptionIsPermanentAndNothingElseIsAsked() {
        aws.onDescribe(error("AccessDeniedException", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("AccessDeniedException");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).startsWith("DescribeSecret of secret prod/orders/app");
        assertThat(aws.calls).hasSize(1);
    }

    @Test
    void aThrottledPutAndAPutToASecretThatVanishedSinceItWasDescribedAreBothTransient() {
        aws.onDescribe(described().build()).onGetString("{}").onPut(error("ThrottlingException", 400));
        SecretWriteException throttled = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        aws.onDescribe(described().build()).onGetString("{}").onPut(error("ResourceNotFoundException", 400));
        SecretWriteException vanished = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(throttled.isTransient()).isTrue();
        assertThat(throttled.errorCode()).isEqualTo("ThrottlingException");
        // The secret was deleted, or the service lost it: the next attempt describes it afresh and creates it.
        assertThat(vanished.isTransient()).isTrue();
        assertThat(vanished.errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(throttled).hasMessageNotContaining(PASSWORD);
        assertThat(vanished).hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aCreateRefusedForAnotherReasonFailsWithThatCode() {
        aws.onDescribe(error("ResourceNotFoundException", 400)).onCreate(error("EncryptionFailure", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("EncryptionFailure");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).startsWith("CreateSecret of secret prod/orders/app");
    }

    @Test
    void noAnswerIsTransient() {
        aws.onDescribe(SdkClientException.create("Unable to execute HTTP request: Connection refused"));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.errorCode()).isEqualTo("SdkClientException");
    }

    @Test
    void aSecretOwnedByAnotherServiceIsRefusedNamingTheOwnerAndNeitherReadNorWritten() {
        aws.onDescribe(described().owningService("rds").build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("SecretOwnedByService");
        assertThat(e.isTransient()).as("only a person can settle who writes it").isFalse();
        assertThat(e.getMessage()).contains("secret prod/orders/app is owned by rds",
                "add app to secrets.allow_conflicting_roles");
        assertThat(aws.calls).as("only the description").hasSize(1);
    }

    @Test
    void aSecretWithRotationEnabledIsRefusedNamingTheRotationFunction() {
        aws.onDescribe(described().rotationEnabled(true)
                .rotationLambdaARN("arn:aws:lambda:us-east-1:123456789012:function:rotate").build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("SecretRotationEnabled");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("rotation enabled",
                "arn:aws:lambda:us-east-1:123456789012:function:rotate",
                "aws secretsmanager cancel-rotate-secret --secret-id prod/orders/app");
        assertThat(aws.calls).hasSize(1);
    }

    @Test
    void aRoleAllowedInTheConfigurationHasItsOwnedAndRotatedSecretWritten() throws Exception {
        aws.onDescribe(described().owningService("rds").rotationEnabled(true).build())
                .onGetString("{}")
                .onPut(PutSecretValueResponse.builder().arn(StubSecretsManager.ARN).versionId(TOKEN).build());

        SecretWriteResult result = writer.write(update("allowed"));

        assertThat(result).isEqualTo(new SecretWriteResult(StubSecretsManager.ARN, TOKEN, false));
    }

    @Test
    void aSecretScheduledForDeletionIsRefusedEvenForAnAllowedRoleAndTheReasonSaysHowToRestoreIt() {
        Instant deletion = Instant.parse("2030-01-02T03:04:05Z");
        aws.onDescribe(described().deletedDate(deletion).owningService("rds").build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class,
                () -> writer.write(update("allowed")));

        assertThat(e.errorCode()).isEqualTo("SecretScheduledForDeletion");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).isEqualTo("secret prod/orders/app is scheduled for deletion on 2030-01-02T03:04:05Z,"
                + " and Secrets Manager takes no writes to it until it is restored; restore it with"
                + " `aws secretsmanager restore-secret --secret-id prod/orders/app`");
        assertThat(aws.calls).hasSize(1);
    }

    @Test
    void aDeletionScheduledAfterTheDescriptionIsToldByDescribingAgain() {
        SdkException refused = error("InvalidRequestException", 400);
        aws.onDescribe(described().build())
                .onGet(refused)
                .onDescribe(described().deletedDate(Instant.parse("2030-01-02T03:04:05Z")).build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("SecretScheduledForDeletion");
        assertThat(e.getMessage()).contains("aws secretsmanager restore-secret --secret-id prod/orders/app");
        assertThat(e.getCause()).as("the refused call").isSameAs(refused);
    }

    @Test
    void anInvalidRequestThatTheDescriptionDoesNotExplainKeepsItsOwnCode() {
        aws.onDescribe(described().build())
                .onGetString("{}")
                .onPut(error("InvalidRequestException", 400))
                .onDescribe(described().build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).startsWith("PutSecretValue of secret prod/orders/app failed");
    }

    @Test
    void anInvalidRequestForASecretThatIsGoneWhenDescribedAgainIsTransient() {
        aws.onDescribe(described().build())
                .onGetString("{}")
                .onPut(error("InvalidRequestException", 400))
                .onDescribe(error("ResourceNotFoundException", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(e.isTransient()).as("the next attempt creates the secret").isTrue();
    }

    @Test
    void aCurrentValueWithNeitherAStringNorABinaryIsATransientIncompleteAnswer() {
        aws.onDescribe(described().build()).onGet(GetSecretValueResponse.builder().arn(StubSecretsManager.ARN).build());

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo(SecretWriteException.INCOMPLETE_ANSWER);
        assertThat(e.isTransient()).isTrue();
    }

    @Test
    void anInvalidRequestThatCannotBeDescribedKeepsItsOwnCodeWithTheDescriptionsFailureAttached() {
        aws.onDescribe(described().build())
                .onGet(error("InvalidRequestException", 400))
                .onDescribe(error("ThrottlingException", 400));

        SecretWriteException e = catchThrowableOfType(SecretWriteException.class, () -> writer.write(update()));

        assertThat(e.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(e.getSuppressed()).singleElement()
                .satisfies(s -> assertThat(((SecretWriteException) s).errorCode()).isEqualTo("ThrottlingException"));
    }
}
