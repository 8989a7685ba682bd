package io.credsync.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {

    private static AwsServiceException error(String code, int status) {
        return AwsServiceException.builder().statusCode(status).message("text that is never read")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("text that is never read")
                        .build())
                .build();
    }

    @Test
    void kmsErrorsAreExplainedByTheirCode() {
        assertThat(AwsErrors.kms("GetPublicKey", "alias/x", error("NotFoundException", 400)).line())
                .isEqualTo("kms:GetPublicKey on alias/x failed with NotFoundException: KMS has no such key in this"
                        + " Region: check the key id, alias or ARN, and aws.region");
        assertThat(AwsErrors.kms("Decrypt", "k", error("AccessDeniedException", 400)).advice())
                .contains("allow kms:GetPublicKey and kms:Decrypt");
        assertThat(AwsErrors.kms("GetPublicKey", "k", error("DisabledException", 400)).advice())
                .contains("aws kms enable-key");
        assertThat(AwsErrors.kms("GetPublicKey", "k", error("KMSInvalidStateException", 400)).advice())
                .contains("cancel-key-deletion");
        assertThat(AwsErrors.kms("GetPublicKey", "k", error("UnsupportedOperationException", 400)).advice())
                .contains("symmetric");
    }

    @Test
    void credentialThrottlingAndServerErrorsGetGenericAdvice() {
        assertThat(AwsErrors.kms("Decrypt", "k", error("ExpiredTokenException", 400)).advice())
                .contains("refused these credentials");
        assertThat(AwsErrors.kms("Decrypt", "k", error("ThrottlingException", 400)).advice())
                .contains("try again");
        assertThat(AwsErrors.kms("Decrypt", "k", error("SomethingNew", 503)).advice()).contains("try again");
        assertThat(AwsErrors.kms("Decrypt", "k", error("SomethingNew", 400)).line())
                .isEqualTo("kms:Decrypt on k failed with SomethingNew");
    }

    @Test
    void noAnswerSaysToCheckTheEndpointAndCredentials() {
        AwsErrors.Explanation e = AwsErrors.secretsManager("DescribeSecret", "s",
                SdkClientException.create("Unable to load credentials from any of the providers in the chain."));

        assertThat(e.problem()).isEqualTo("secretsmanager:DescribeSecret on s got no answer (Unable to load"
                + " credentials from any of the providers in the chain)");
        assertThat(e.advice()).contains("default chain finds credentials");
    }
}
