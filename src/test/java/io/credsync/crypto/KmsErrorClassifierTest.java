package io.credsync.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.crypto.EnvelopeException.Reason;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

class KmsErrorClassifierTest {

    static Stream<Arguments> permanentCodes() {
        return Stream.of(
                Arguments.of("NotFoundException", 400, Reason.UNKNOWN_KEY),
                Arguments.of("DisabledException", 400, Reason.KEY_UNUSABLE),
                Arguments.of("KMSInvalidStateException", 400, Reason.KEY_UNUSABLE),
                Arguments.of("InvalidKeyUsageException", 400, Reason.KEY_UNUSABLE),
                Arguments.of("InvalidCiphertextException", 400, Reason.BAD_CONTENT_KEY),
                Arguments.of("IncorrectKeyException", 400, Reason.BAD_CONTENT_KEY),
                Arguments.of("AccessDeniedException", 400, Reason.ACCESS_DENIED),
                Arguments.of("ValidationException", 400, Reason.KMS_REJECTED),
                Arguments.of("InvalidGrantTokenException", 400, Reason.KMS_REJECTED),
                Arguments.of("InvalidArnException", 400, Reason.UNKNOWN_KEY),
                Arguments.of("UnsupportedOperationException", 400, Reason.KEY_UNUSABLE),
                Arguments.of("NotAuthorized", 400, Reason.ACCESS_DENIED),
                Arguments.of("InvalidAction", 400, Reason.KMS_REJECTED));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("permanentCodes")
    void shouldTreatRefusalsAboutTheKeyAsPermanent(String code, int status, Reason reason) {
        assertThat(KmsErrorClassifier.permanentReason(kms(code, status))).contains(reason);
        assertThat(KmsErrorClassifier.errorCode(kms(code, status))).isEqualTo(code);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ThrottlingException", "KMSInternalException", "KeyUnavailableException",
        "DependencyTimeoutException", "ExpiredTokenException", "UnrecognizedClientException",
        "InvalidSignatureException", "RequestExpired"})
    void shouldRetryThrottlingKmsFailuresAndTheConsumersOwnCredentialProblems(String code) {
        assertThat(KmsErrorClassifier.permanentReason(kms(code, 400))).isEmpty();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {429, 500, 502, 503, 504})
    void shouldRetryAnyThrottlingOrServerStatusWhateverTheCode(int status) {
        assertThat(KmsErrorClassifier.permanentReason(kms("SomethingNewException", status))).isEmpty();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 403, 404})
    void shouldRetryACodeCredsyncDoesNotKnowWhateverItsStatus(int status) {
        // At least once: a new code, or a proxy's answer, is retried (and logged) rather than a change lost.
        assertThat(KmsErrorClassifier.permanentReason(kms("SomethingNewException", status))).isEmpty();
    }

    @Test
    void shouldRetryWhenNoResponseArrived() {
        SdkException io = SdkClientException.create("Unable to execute HTTP request: Connection reset");
        SdkException timeout = ApiCallTimeoutException.create(2_000);

        assertThat(KmsErrorClassifier.permanentReason(io)).isEmpty();
        assertThat(KmsErrorClassifier.permanentReason(timeout)).isEmpty();
        assertThat(KmsErrorClassifier.errorCode(io)).isEqualTo("SdkClientException");
        assertThat(KmsErrorClassifier.errorCode(timeout)).isEqualTo("ApiCallTimeoutException");
    }

    @Test
    void shouldClassifyByTheErrorCodeAndNeverByTheMessage() {
        SdkException throttled = KmsException.builder().message("NotFoundException: key does not exist")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                        .errorMessage("NotFoundException").build())
                .statusCode(400).build();

        assertThat(KmsErrorClassifier.permanentReason(throttled)).isEmpty();
    }

    @Test
    void shouldFallBackToTheModelledExceptionTypeWithoutErrorDetails() {
        assertThat(KmsErrorClassifier.permanentReason(NotFoundException.builder().statusCode(400).build()))
                .contains(Reason.UNKNOWN_KEY);
        assertThat(KmsErrorClassifier.permanentReason(DisabledException.builder().build()))
                .contains(Reason.KEY_UNUSABLE);
        assertThat(KmsErrorClassifier.permanentReason(KmsInternalException.builder().statusCode(500).build()))
                .isEmpty();
        assertThat(KmsErrorClassifier.errorCode(KmsInternalException.builder().build()))
                .isEqualTo("KMSInternalException");
    }

    @Test
    void shouldNameAnErrorWithoutACodeByItsStatusAndRetryIt() {
        assertThat(KmsErrorClassifier.errorCode(KmsException.builder().statusCode(418).build())).isEqualTo("HTTP_418");
        assertThat(KmsErrorClassifier.permanentReason(KmsException.builder().statusCode(404).build())).isEmpty();
        assertThat(KmsErrorClassifier.permanentReason(KmsException.builder().statusCode(418).build())).isEmpty();
    }

    static KmsException kms(String code, int status) {
        return (KmsException) KmsException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).serviceName("Kms").build())
                .statusCode(status)
                .build();
    }
}
