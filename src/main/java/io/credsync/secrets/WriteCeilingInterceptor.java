package io.credsync.secrets;

import java.util.Objects;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretRequest;

/**
 * Holds each request that stores a secret value (CreateSecret, PutSecretValue, UpdateSecret) at
 * a {@link WriteGate} right before the SDK transmits it, every attempt of it included (the SDK's
 * own retries count against the quota too). Why there: the spacing the gate keeps is then the
 * spacing Secrets Manager sees, whatever time the decrypt, the login check, DescribeSecret,
 * GetSecretValue and the request's signing took before. Other requests pass untouched.
 *
 * <p>Thread-safe if the gate is. An interrupt while waiting is kept, and the call ends with the
 * SDK's {@link AbortedException}.
 */
public final class WriteCeilingInterceptor implements ExecutionInterceptor {

    private final WriteGate gate;

    public WriteCeilingInterceptor(WriteGate gate) {
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        if (storesAValue(context.request())) {
            try {
                gate.awaitTurn();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AbortedException.builder().message("interrupted while waiting for the write ceiling")
                        .cause(e).build();
            }
        }
    }

    static boolean storesAValue(SdkRequest request) {
        return request instanceof PutSecretValueRequest || request instanceof CreateSecretRequest
                || request instanceof UpdateSecretRequest;
    }
}
