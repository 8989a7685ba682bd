package io.credsync.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

class AwsClientsTest {

    @Test
    void theClientHasBoundedTimeOutsFewRetriesAndTheEndpointAndRegionAsked() {
        try (SecretsManagerClient client = AwsClients.build(SecretsManagerClient.builder(), Region.EU_WEST_1,
                URI.create("http://127.0.0.1:1"),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            ClientOverrideConfiguration override = client.serviceClientConfiguration().overrideConfiguration();

            assertThat(override.apiCallTimeout()).contains(Duration.ofSeconds(10));
            assertThat(override.apiCallAttemptTimeout()).contains(Duration.ofSeconds(5));
            assertThat(override.retryStrategy()).hasValueSatisfying(strategy ->
                    assertThat(strategy.maxAttempts()).as("credsync retries with its own backoff").isEqualTo(3));
            assertThat(client.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
            assertThat(client.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:1"));
        }
    }

    @Test
    void everyClientSharesOneTimerThreadThatDropsACancelledTimeOutAtOnce() {
        try (SecretsManagerClient secrets = AwsClients.build(SecretsManagerClient.builder(), Region.EU_WEST_1, null,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
                KmsClient kms = AwsClients.build(KmsClient.builder(), Region.EU_WEST_1, null,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            ScheduledExecutorService timers = timers(secrets.serviceClientConfiguration().overrideConfiguration());

            assertThat(timers(kms.serviceClientConfiguration().overrideConfiguration())).isSameAs(timers);
            assertThat(timers).isInstanceOfSatisfying(ScheduledThreadPoolExecutor.class, executor -> {
                assertThat(executor.getRemoveOnCancelPolicy()).as("a cancelled time-out wakes no thread").isTrue();
                assertThat(executor.getCorePoolSize()).isEqualTo(1);
            });
        }
    }

    /** The executor given to the client, which the SDK wraps so that closing the client leaves it running. */
    private static ScheduledExecutorService timers(ClientOverrideConfiguration override) {
        return ScheduledExecutorUtils.unwrapUnmanagedScheduledExecutor(override.scheduledExecutorService()
                .orElseThrow());
    }

    @Test
    void withoutAnEndpointTheRegionsEndpointIsUsed() {
        try (SecretsManagerClient client = AwsClients.build(SecretsManagerClient.builder(), Region.US_EAST_1, null, null)) {
            assertThat(client.serviceClientConfiguration().endpointOverride()).isEmpty();
        }
    }
}
