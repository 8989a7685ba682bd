package io.credsync.secrets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;

/**
 * A scripted Secrets Manager: each call takes the next answer queued for its operation (a
 * response, or an exception to throw) and is recorded. An unscripted call fails the test. For
 * answers moto never gives (a no-op put of a stale version, throttling, binary secrets).
 */
final class StubSecretsManager implements SecretsManagerClient {

    static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/app-AbCdEf";

    final List<SdkRequest> calls = new ArrayList<>();
    private final Deque<Object> gets = new ArrayDeque<>();
    private final Deque<Object> creates = new ArrayDeque<>();
    private final Deque<Object> puts = new ArrayDeque<>();
    private final Deque<Object> describes = new ArrayDeque<>();

    StubSecretsManager onGet(Object answer) {
        gets.add(answer);
        return this;
    }

    StubSecretsManager onGetString(String secretString) {
        return onGet(GetSecretValueResponse.builder().arn(ARN).name("prod/orders/app").versionId("v-current")
                .secretString(secretString).build());
    }

    StubSecretsManager onGetBinary() {
        return onGet(GetSecretValueResponse.builder().arn(ARN).versionId("v-current")
                .secretBinary(SdkBytes.fromByteArray(new byte[] {1, 2})).build());
    }

    StubSecretsManager onCreate(Object answer) {
        creates.add(answer);
        return this;
    }

    StubSecretsManager onPut(Object answer) {
        puts.add(answer);
        return this;
    }

    StubSecretsManager onDescribe(Object answer) {
        describes.add(answer);
        return this;
    }

    <T extends SdkRequest> T call(int index, Class<T> type) {
        return type.cast(calls.get(index));
    }

    @Override
    public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
        return answer(request, gets, GetSecretValueResponse.class);
    }

    @Override
    public CreateSecretResponse createSecret(CreateSecretRequest request) {
        return answer(request, creates, CreateSecretResponse.class);
    }

    @Override
    public PutSecretValueResponse putSecretValue(PutSecretValueRequest request) {
        return answer(request, puts, PutSecretValueResponse.class);
    }

    @Override
    public DescribeSecretResponse describeSecret(DescribeSecretRequest request) {
        return answer(request, describes, DescribeSecretResponse.class);
    }

    @Override
    public String serviceName() {
        return "secretsmanager";
    }

    @Override
    public void close() {
    }

    private <T> T answer(SdkRequest request, Deque<Object> answers, Class<T> type) {
        calls.add(request);
        Object answer = answers.poll();
        if (answer == null) {
            throw new AssertionError("unexpected call " + request.getClass().getSimpleName() + " (call " + calls.size() + ")");
        }
        if (answer instanceof RuntimeException) {
            throw (RuntimeException) answer;
        }
        return type.cast(answer);
    }
}
