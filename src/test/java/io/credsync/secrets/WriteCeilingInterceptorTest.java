package io.credsync.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretRequest;

class WriteCeilingInterceptorTest {

    private final AtomicInteger turns = new AtomicInteger();
    private final WriteCeilingInterceptor interceptor = new WriteCeilingInterceptor(turns::incrementAndGet);

    @Test
    void everyRequestThatStoresAValueWaitsForItsTurnAndNoOtherDoes() {
        transmit(PutSecretValueRequest.builder().build());
        transmit(CreateSecretRequest.builder().build());
        transmit(UpdateSecretRequest.builder().build());
        assertThat(turns).as("Put, Create and Update").hasValue(3);

        transmit(DescribeSecretRequest.builder().build());
        transmit(GetSecretValueRequest.builder().build());
        assertThat(turns).as("reads pass untouched").hasValue(3);
    }

    @Test
    void anInterruptWhileWaitingIsKeptAndAbortsTheCall() {
        WriteCeilingInterceptor interrupted = new WriteCeilingInterceptor(() -> {
            throw new InterruptedException("stopping");
        });

        assertThatThrownBy(() -> interrupted.beforeTransmission(context(PutSecretValueRequest.builder().build()),
                new ExecutionAttributes())).isInstanceOf(AbortedException.class);
        assertThat(Thread.interrupted()).as("the interrupt is kept (and cleared here)").isTrue();
    }

    private void transmit(SdkRequest request) {
        interceptor.beforeTransmission(context(request), new ExecutionAttributes());
    }

    private static Context.BeforeTransmission context(SdkRequest request) {
        return new Context.BeforeTransmission() {
            @Override
            public SdkRequest request() {
                return request;
            }

            @Override
            public SdkHttpRequest httpRequest() {
                return SdkHttpRequest.builder().method(software.amazon.awssdk.http.SdkHttpMethod.POST)
                        .protocol("https").host("secretsmanager.eu-west-1.amazonaws.com").build();
            }

            @Override
            public java.util.Optional<software.amazon.awssdk.core.sync.RequestBody> requestBody() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<software.amazon.awssdk.core.async.AsyncRequestBody> asyncRequestBody() {
                return java.util.Optional.empty();
            }
        };
    }
}
