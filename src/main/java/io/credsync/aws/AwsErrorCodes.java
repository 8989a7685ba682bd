package io.credsync.aws;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The error codes of failed AWS calls, the one thing credsync classifies AWS failures by (never
 * the message text): how to read a failure's code, and the one list of the codes more than one
 * class needs (the consumer's retry decisions in {@code crypto} and {@code secrets}, the
 * doctor's and installer's advice in {@code install}). Stateless and thread-safe.
 */
public final class AwsErrorCodes {

    /** Throttling, by every name AWS services give it. */
    public static final Set<String> THROTTLING = Set.of(
            "ThrottlingException", "Throttling", "ThrottledException", "RequestLimitExceeded",
            "TooManyRequestsException", "RequestThrottled", "RequestThrottledException");

    /** The service itself failing or not answering in time, as AWS's common errors name it. */
    public static final Set<String> SERVICE_FAILING = Set.of(
            "InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable",
            "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException");

    /**
     * About the caller's own credentials or clock, not about the request: a credentials refresh,
     * the SDK's clock-skew correction or an operator fixes them, so retrying later can succeed.
     */
    public static final Set<String> CALLER_CREDENTIALS = Set.of(
            "ExpiredTokenException", "ExpiredToken", "RequestExpired", "RequestTimeTooSkewed",
            "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
            "UnrecognizedClientException", "InvalidClientTokenId", "MissingAuthenticationToken");

    /** KMS or a service it depends on failing: KMS's own names for it. */
    public static final Set<String> KMS_FAILING = Set.of(
            "KMSInternalException", "KeyUnavailableException", "DependencyTimeoutException");

    /** Secrets Manager's own name for failing. */
    public static final Set<String> SECRETS_MANAGER_FAILING = Set.of("InternalServiceError");

    /** Secrets Manager's answer for a name that does not exist. */
    public static final String RESOURCE_NOT_FOUND = "ResourceNotFoundException";

    /** The caller's credentials may not do this (IAM or key policy), in KMS and Secrets Manager alike. */
    public static final String ACCESS_DENIED = "AccessDeniedException";

    private AwsErrorCodes() {
    }

    /** The codes of {@code sets} together, e.g. a service's transient codes. */
    @SafeVarargs
    public static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }

    /**
     * The code of a failure, as {@link #of(SdkException, Map)} with no modelled types.
     *
     * @return the AWS error code; else {@code HTTP_<status>} for a service error; else the
     *     exception's simple class name
     */
    public static String of(SdkException e) {
        return of(e, Map.of());
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
