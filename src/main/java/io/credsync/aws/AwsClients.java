package io.credsync.aws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Builds credsync's AWS clients alike: the url-connection HTTP client (no Netty, no Apache),
 * bounded time-outs, and few SDK retries.
 *
 * <p>Why few retries and short time-outs: credsync retries transient failures itself, with
 * backoff and jitter, and records each attempt; the SDK's own retries only smooth over a single
 * dropped connection or throttled call. A call that hangs holds up the role's later events, so
 * no call may take longer than {@link #API_CALL_TIMEOUT} in all.
 *
 * <p>Thread-safe. Each call returns a new client, which the caller owns and closes; the clients
 * share one timer thread for their time-outs.
 */
public final class AwsClients {

    /** The most one call may take, SDK retries included. */
    public static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(10);

    /** The most one HTTP attempt may take. */
    public static final Duration API_CALL_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    /** How long to wait for a TCP connection to open. */
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

    /** Attempts per call, the first included: so two SDK retries. */
    public static final int MAX_ATTEMPTS = 3;

    /**
     * The time-out timers of every client: one daemon thread, and a cancelled timer leaves its
     * queue at once. Each call arms two timers ({@link #API_CALL_TIMEOUT} and
     * {@link #API_CALL_ATTEMPT_TIMEOUT}) and cancels both when it ends, nearly always long before
     * they are due. The SDK's own executor (five threads per client) keeps cancelled timers queued
     * until they would have fired, and wakes a thread for each: four wake-ups per call, for
     * nothing. Here a timer costs a wake-up only when it is armed, and an idle consumer none.
     * Clients do not shut down an executor they are given, so this one lives as long as the JVM.
     */
    private static final ScheduledExecutorService TIMEOUT_TIMERS = timeoutTimers();

    private AwsClients() {
    }

    private static ScheduledExecutorService timeoutTimers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "credsync-aws-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /**
     * Configures {@code builder} and builds its client.
     *
     * @param region the Region; not null
     * @param endpointOverride where to send requests instead of the Region's endpoint (an
     *     emulator, a VPC endpoint), or null
     * @param credentials the credentials to sign with, or null for the default chain
     *     (environment, profile, web identity, ECS task role, instance profile), which the client
     *     then owns; the client does not close a provider given here
     */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
            Region region, URI endpointOverride, AwsCredentialsProvider credentials) {
        return build(builder, region, endpointOverride, credentials, List.of());
    }

    /** As the other {@code build}, with {@code interceptors} added to the client's. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
            Region region, URI endpointOverride, AwsCredentialsProvider credentials,
            List<ExecutionInterceptor> interceptors) {
        Objects.requireNonNull(region, "region");
        builder.region(region)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECTION_TIMEOUT)
                        .socketTimeout(API_CALL_ATTEMPT_TIMEOUT))
                .overrideConfiguration(override -> override
                        .apiCallTimeout(API_CALL_TIMEOUT)
                        .apiCallAttemptTimeout(API_CALL_ATTEMPT_TIMEOUT)
                        .retryStrategy(strategy -> strategy.maxAttempts(MAX_ATTEMPTS))
                        .scheduledExecutorService(TIMEOUT_TIMERS)
                        .executionInterceptors(List.copyOf(interceptors)));
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
        }
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        return builder.build();
    }
}
