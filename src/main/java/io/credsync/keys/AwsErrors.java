package io.credsync.keys;

import io.credsync.aws.AwsErrorCodes;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Explains a failed KMS or Secrets Manager call in one line that says what to do, chosen by the
 * AWS error code (never by message text) as {@link AwsErrorCodes} reads and groups it; this class
 * holds only the advice. Stateless and thread-safe.
 */
public final class AwsErrors {

    private static final Set<String> UNAVAILABLE = AwsErrorCodes.union(AwsErrorCodes.THROTTLING,
            AwsErrorCodes.SERVICE_FAILING, AwsErrorCodes.KMS_FAILING, AwsErrorCodes.SECRETS_MANAGER_FAILING);

    private static final Map<String, String> KMS = Map.of(
            "NotFoundException", "KMS has no such key in this Region: check the key id, alias or ARN, and aws.region",
            "AccessDeniedException", "these AWS credentials may not use the key: allow kms:GetPublicKey and"
                    + " kms:Decrypt on it to the consumer's role, in the key policy or an IAM policy",
            "DisabledException", "the key is disabled: enable it (aws kms enable-key --key-id ...)",
            "KMSInvalidStateException", "the key cannot be used in its state (pending deletion, or pending"
                    + " import): cancel its deletion (aws kms cancel-key-deletion), or use another key",
            "UnsupportedOperationException", "this is a symmetric key; credsync needs an asymmetric one: "
                    + KeyRequirements.CREATE_KEY,
            "InvalidKeyUsageException", "the key's usage does not allow this; credsync needs RSA with usage"
                    + " ENCRYPT_DECRYPT: " + KeyRequirements.CREATE_KEY,
            "InvalidArnException", "that is not a valid KMS key ARN: give a key id, alias/NAME or a key ARN",
            "InvalidCiphertextException", "KMS could not decrypt what was encrypted to the stored public key:"
                    + " the stored key is not this KMS key's; run credsync keys add --kms-key with the right key",
            "IncorrectKeyException", "KMS could not decrypt what was encrypted to the stored public key:"
                    + " the stored key is not this KMS key's; run credsync keys add --kms-key with the right key");

    private static final Map<String, String> SECRETS_MANAGER = Map.of(
            "AccessDeniedException", "these AWS credentials may not call this on the configured secret names:"
                    + " allow secretsmanager:GetSecretValue, DescribeSecret, CreateSecret, PutSecretValue and"
                    + " TagResource on arn:aws:secretsmanager:REGION:ACCOUNT:secret:PREFIX* for the consumer's role",
            "InvalidRequestException", "Secrets Manager refused the request for this secret (scheduled for"
                    + " deletion?): restore it (aws secretsmanager restore-secret) or choose another name",
            "DecryptionFailure", "Secrets Manager cannot use the secret's KMS key: allow kms:Decrypt on it",
            "EncryptionFailure", "Secrets Manager cannot use the secret's KMS key: allow kms:GenerateDataKey on it");

    private AwsErrors() {
    }

    /**
     * A failed call, explained.
     *
     * @param problem what failed, e.g. {@code kms:GetPublicKey on alias/x failed with NotFoundException}
     * @param advice what to do about it; empty when credsync does not know
     */
    public record Explanation(String problem, String advice) {
        public Explanation {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(advice, "advice");
        }

        /** Both, as one line. */
        public String line() {
            return advice.isEmpty() ? problem : problem + ": " + advice;
        }
    }

    /** Explains a failed {@code kms:<operation>} on {@code keyId}. */
    public static Explanation kms(String operation, String keyId, SdkException e) {
        return explain("kms:" + operation + " on " + keyId, e, KMS);
    }

    /** Explains a failed {@code secretsmanager:<operation>} on {@code secretName}. */
    public static Explanation secretsManager(String operation, String secretName, SdkException e) {
        return explain("secretsmanager:" + operation + " on " + secretName, e, SECRETS_MANAGER);
    }

    private static Explanation explain(String call, SdkException e, Map<String, String> service) {
        if (e instanceof SdkClientException || !(e instanceof SdkServiceException)) {
            // No answer: the SDK's message says which (no credentials found, connection refused, time-out).
            return new Explanation(call + " got no answer (" + firstLine(e.getMessage()) + ")",
                    "check the endpoint and the network path, and that the SDK's default chain finds credentials"
                            + " (AWS_PROFILE, AWS_ACCESS_KEY_ID, the ECS task role or instance profile)");
        }
        String code = AwsErrorCodes.of(e);
        String advice = service.get(code);
        if (advice == null && AwsErrorCodes.CALLER_CREDENTIALS.contains(code)) {
            advice = "AWS refused these credentials: check which credentials the SDK's default chain finds,"
                    + " that they have not expired, and the host's clock";
        }
        if (advice == null && (UNAVAILABLE.contains(code) || ((SdkServiceException) e).isThrottlingException()
                || ((SdkServiceException) e).statusCode() >= 500)) {
            advice = "the service is throttling or unavailable: try again in a moment";
        }
        return new Explanation(call + " failed with " + code, advice == null ? "" : advice);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        String line = (end < 0 ? message : message.substring(0, end)).strip();
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
