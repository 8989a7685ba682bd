package io.credsync.metrics;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

/**
 * The one call micrometer's CloudWatch registry makes, {@code PutMetricData}, answered by a sync
 * client on the caller's thread. Micrometer calls it from its own publishing thread and waits
 * for the future anyway, so nothing is lost by not being asynchronous; what is gained is no
 * async HTTP client (Netty) in the jar. Every other operation throws
 * {@link UnsupportedOperationException}, as the interface's defaults do.
 *
 * <p>Thread-safe, as the sync client is. Does not own the client: {@link #close()} leaves it open.
 */
final class SyncCloudWatchAsyncClient implements CloudWatchAsyncClient {

    private final CloudWatchClient client;

    SyncCloudWatchAsyncClient(CloudWatchClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
        try {
            return CompletableFuture.completedFuture(client.putMetricData(request));
        } catch (RuntimeException e) {
            // Micrometer reads failures from the future; a throw would escape its handling.
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
        // The export owns the sync client and closes it.
    }
}
