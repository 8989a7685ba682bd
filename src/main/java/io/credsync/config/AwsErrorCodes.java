package io.credsync.config;

import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The error code of a failed AWS call, the one thing credsync classifies AWS failures by
 * (never the message text). Stateless and thread-safe.
 */
public final class AwsErrorCodes {

    private AwsErrorCodes() {
    }

    /**
     * @param codeByType the codes of the service's modelled exception types, for the rare answer
     *     that carries no error code of its own
     * @return the AWS error code; else the code of the modelled exception type; else
     *     {@code HTTP_<status>} for a service error; else the exception's simple class name
     *     (e.g. {@code SdkClientException}, {@code ApiCallTimeoutException})
     */
    public static String of(SdkException e, Map<Class<? extends SdkException>, String> codeByType) {
        if (e instanceof AwsServiceException) {
            AwsErrorDetails details = ((AwsServiceException) e).awsErrorDetails();
            if (details != null && details.errorCode() != null && !details.errorCode().isEmpty()) {
                return details.errorCode();
            }
        }
        for (Map.Entry<Class<? extends SdkException>, String> byType : codeByType.entrySet()) {
            if (byType.getKey().isInstance(e)) {
                return byType.getValue();
            }
        }
        if (e instanceof SdkServiceException && ((SdkServiceException) e).statusCode() > 0) {
            return "HTTP_" + ((SdkServiceException) e).statusCode();
        }
        return e.getClass().getSimpleName();
    }
}
