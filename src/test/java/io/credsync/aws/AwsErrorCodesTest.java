package io.credsync.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class AwsErrorCodesTest {

    @Test
    void theCodeIsTheAnswersErrorCodeNeverItsMessage() {
        AwsServiceException denied = AwsServiceException.builder().statusCode(400)
                .message("ResourceNotFoundException mentioned in text only")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(AwsErrorCodes.ACCESS_DENIED).build())
                .build();

        assertThat(AwsErrorCodes.of(denied)).isEqualTo("AccessDeniedException");
    }

    @Test
    void theCodeFallsBackToTheModelledTypeThenTheHttpStatusThenTheExceptionType() {
        var modelled = ResourceNotFoundException.builder().statusCode(400).build();

        assertThat(AwsErrorCodes.of(modelled, Map.of(ResourceNotFoundException.class, "ResourceNotFoundException")))
                .as("an answer without error details still has a type").isEqualTo(AwsErrorCodes.RESOURCE_NOT_FOUND);
        assertThat(AwsErrorCodes.of(AwsServiceException.builder().statusCode(418).build())).isEqualTo("HTTP_418");
        assertThat(AwsErrorCodes.of(SdkClientException.create("no answer"))).isEqualTo("SdkClientException");
    }

    @Test
    void aUnionHoldsEveryCodeOfItsSets() {
        assertThat(AwsErrorCodes.union(AwsErrorCodes.KMS_FAILING, AwsErrorCodes.SECRETS_MANAGER_FAILING))
                .contains("KMSInternalException", "InternalServiceError")
                .hasSize(AwsErrorCodes.KMS_FAILING.size() + AwsErrorCodes.SECRETS_MANAGER_FAILING.size());
    }
}
