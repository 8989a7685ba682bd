package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.secrets.SecretsManagerErrors.Classification;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

class SecretsManagerErrorsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"AccessDeniedException", "InvalidRequestException", "InvalidParameterException",
        "DecryptionFailure", "EncryptionFailure", "MalformedPolicyDocumentException",
        "ResourceNotFoundException", "ResourceExistsException", "PreconditionNotMetException", "ValidationException",
        "ValidationError", "InvalidAction", "NotAuthorized"})
    void refusalsAboutTheRequestOrTheSecretArePermanent(String code) {
        assertThat(SecretsManagerErrors.classify(error(code, 400))).isEqualTo(new Classification(code, false));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "Throttling",
        "InternalServiceError", "InternalFailure", "ServiceUnavailable", "ExpiredTokenException",
        "RequestExpired", "InvalidSignatureException", "UnrecognizedClientException"})
    void throttlingServiceFailuresAndTheConsumersOwnCredentialsAreTransient(String code) {
        assertThat(SecretsManagerErrors.classify(error(code, 400))).isEqualTo(new Classification(code, true));
    }

    @Test
    void aQuotaThatClearsByItselfIsTransient() {
        // The versions of one secret: Secrets Manager removes those older than 24 hours.
        assertThat(SecretsManagerErrors.classify(error("LimitExceededException", 400)))
                .isEqualTo(new Classification("LimitExceededException", true));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {429, 500, 502, 503, 504})
    void anyThrottlingOrServerStatusIsTransientWhateverTheUnknownCode(int status) {
        assertThat(SecretsManagerErrors.classify(error("SomethingNewException", status)).isTransient()).isTrue();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 403, 404, 409})
    void aCodeCredsyncDoesNotKnowIsTransientWhateverItsStatus(int status) {
        // At least once: a new code, or a proxy's answer, is retried (and logged) rather than a change lost.
        assertThat(SecretsManagerErrors.classify(error("SomethingNewException", status)))
                .isEqualTo(new Classification("SomethingNewException", true));
    }

    @Test
    void aKnownPermanentCodeStaysPermanentEvenWithA5xxStatus() {
        assertThat(SecretsManagerErrors.classify(error("AccessDeniedException", 500)).isTransient()).isFalse();
    }

    @Test
    void noAnswerAtAllIsTransient() {
        SdkException refused = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectException("Connection refused")).build();

        assertThat(SecretsManagerErrors.classify(refused)).isEqualTo(new Classification("SdkClientException", true));
        assertThat(SecretsManagerErrors.classify(ApiCallTimeoutException.create(10_000)))
                .isEqualTo(new Classification("ApiCallTimeoutException", true));
        assertThat(SecretsManagerErrors.classify(ApiCallAttemptTimeoutException.create(5_000)).isTransient()).isTrue();
        assertThat(SecretsManagerErrors.classify(AbortedException.create("interrupted")).isTransient()).isTrue();
    }

    @Test
    void theCodeDecidesAndNeverTheMessage() {
        SdkException throttled = SecretsManagerException.builder().message("AccessDeniedException: denied")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                        .errorMessage("AccessDeniedException").build())
                .statusCode(400).build();
        SdkException denied = SecretsManagerException.builder().message("Rate exceeded, throttling, try again")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException")
                        .errorMessage("ThrottlingException 503 retry").build())
                .statusCode(400).build();

        assertThat(SecretsManagerErrors.classify(throttled).isTransient()).isTrue();
        assertThat(SecretsManagerErrors.classify(denied).isTransient()).isFalse();
    }

    @Test
    void aModelledExceptionWithoutErrorDetailsIsNamedByItsType() {
        assertThat(SecretsManagerErrors.classify(InvalidRequestException.builder().statusCode(400).build()))
                .isEqualTo(new Classification("InvalidRequestException", false));
        assertThat(SecretsManagerErrors.classify(DecryptionFailureException.builder().build()))
                .isEqualTo(new Classification("DecryptionFailure", false));
        assertThat(SecretsManagerErrors.classify(InternalServiceErrorException.builder().statusCode(500).build()))
                .isEqualTo(new Classification("InternalServiceError", true));
        assertThat(SecretsManagerErrors.hasCode(ResourceNotFoundException.builder().build(),
                "ResourceNotFoundException")).isTrue();
    }

    @Test
    void anErrorWithoutACodeIsNamedByItsStatusAndRetried() {
        // An error page of a proxy, or of an emulator starting or stopping, carries no AWS code.
        assertThat(SecretsManagerErrors.classify(SecretsManagerException.builder().statusCode(404).build()))
                .isEqualTo(new Classification("HTTP_404", true));
        assertThat(SecretsManagerErrors.classify(SecretsManagerException.builder().statusCode(418).build()))
                .isEqualTo(new Classification("HTTP_418", true));
        assertThat(SecretsManagerErrors.classify(SecretsManagerException.builder().statusCode(503).build()))
                .isEqualTo(new Classification("HTTP_503", true));
    }

    @Test
    void aClientSideFailureNeverCountsAsTheServicesAnswer() {
        assertThat(SecretsManagerErrors.hasCode(SdkClientException.create("ResourceNotFoundException"),
                "ResourceNotFoundException")).isFalse();
    }

    static SecretsManagerException error(String code, int status) {
        return (SecretsManagerException) SecretsManagerException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).serviceName("SecretsManager").build())
                .statusCode(status)
                .build();
    }
}
