package io.credsync.service;

import io.credsync.config.AwsClients;
import io.credsync.config.CredsyncConfig;
import io.credsync.config.DatabaseConnector;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.KmsKeyUnwrapper;
import io.credsync.delivery.DeliveryPipeline;
import io.credsync.delivery.DeliveryStore;
import io.credsync.delivery.DeliveryWorker;
import io.credsync.delivery.LoginVerifier;
import io.credsync.delivery.SecretFields;
import io.credsync.delivery.Sleeper;
import io.credsync.delivery.WriteRateLimiter;
import io.credsync.drift.AutoRotateNotPermittedException;
import io.credsync.drift.DriftCheck;
import io.credsync.drift.DriftMonitor;
import io.credsync.metrics.CloudWatchExport;
import io.credsync.metrics.CredsyncMeterRegistry;
import io.credsync.metrics.DatabaseGauges;
import io.credsync.metrics.DriftGauges;
import io.credsync.metrics.MetricsServer;
import io.credsync.metrics.MicrometerDeliveryMetrics;
import io.credsync.metrics.ReadinessReport;
import io.credsync.replication.AckTracker;
import io.credsync.replication.ReplicationException;
import io.credsync.replication.ReplicationSettings;
import io.credsync.replication.ReplicationSource;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretsManagerPasswordReader;
import io.credsync.secrets.SecretsManagerSecretWriter;
import io.credsync.secrets.WriteCeilingInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The long-running consumer, assembled from its configuration: a replication thread that owns
 * the stream, a delivery thread that writes secrets, and the metrics endpoint.
 *
 * <p>Start-up order matters: the slot is created (if missing) before the outbox is scanned for
 * rows without a delivery row, so that every event is either found by the scan or streamed.
 * Shutdown lets the delivery round in progress finish (or abandons it after a grace period:
 * unrecorded events are delivered again later), then sends a final status update, so that what
 * was done is confirmed.
 *
 * <p>{@link #start} and {@link #close} are called by one thread; {@link #requestStop} from any.
 */
public final class ConsumerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);
    /** How long the delivery round in progress may take to finish at shutdown. */
    private static final Duration DELIVERY_GRACE = Duration.ofSeconds(5);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(3);

    private final CredsyncConfig config;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private ReplicationSource source;
    private DeliveryWorker worker;
    private Thread replicationThread;
    private Thread deliveryThread;
    private MetricsServer metricsServer;

    private ConsumerService(CredsyncConfig config) {
        this.config = config;
    }

    /**
     * Builds the consumer from {@code config}, prepares the slot and starts its threads.
     *
     * @throws ReplicationException if the slot or publication cannot be used (the message says
     *     what to do)
     * @throws SQLException if the database cannot be reached
     * @throws IOException if the metrics endpoint cannot listen
     * @throws AutoRotateNotPermittedException if {@code drift.auto_rotate} is on and the role may
     *     not rotate
     */
    public static ConsumerService start(CredsyncConfig config) throws ReplicationException, SQLException, IOException,
            AutoRotateNotPermittedException {
        ConsumerService service = new ConsumerService(config);
        try {
            service.startComponents();
            return service;
        } catch (ReplicationException | SQLException | IOException | AutoRotateNotPermittedException
                | RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void startComponents() throws ReplicationException, SQLException, IOException,
            AutoRotateNotPermittedException {
        log.info("starting credsync {} for database {} on {}:{}, slot {}", version(), config.database().name(),
                config.database().host(), config.database().port(), config.replication().slot());
        DatabaseConnector connector = config.database().connector();
        if (config.drift().enabled() && config.drift().autoRotate()) {
            DriftMonitor.requireRotatePermission(connector);
        }
        // The write ceiling, twice at the same rate: a role waits for its turn before it decrypts
        // (so that its changes committed meanwhile join the write), and each request that stores a
        // secret value waits again right before the SDK sends it, so that the spacing Secrets
        // Manager sees does not vary with the decrypt, the login check and the reads in between.
        int ceiling = config.secrets().maxWritesPerSecond();
        WriteRateLimiter turnGate = new WriteRateLimiter(ceiling, System::nanoTime, Sleeper.SYSTEM);
        WriteRateLimiter sendGate = new WriteRateLimiter(ceiling, System::nanoTime, Sleeper.SYSTEM);
        KmsClient kms = own(AwsClients.build(KmsClient.builder(), config.aws().region(),
                config.aws().kmsEndpoint().orElse(null), null));
        SecretsManagerClient secretsManager = own(AwsClients.build(SecretsManagerClient.builder(),
                config.aws().region(), config.aws().secretsManagerEndpoint().orElse(null), null,
                List.of(new WriteCeilingInterceptor(sendGate::acquire))));
        CredsyncMeterRegistry registry = CredsyncMeterRegistry.create();
        resources.push(registry::close);
        // credsync's own meters go to Prometheus and, when switched on, to CloudWatch as well.
        MeterRegistry meters = registry;
        if (config.metrics().cloudwatchEnabled()) {
            meters = own(CloudWatchExport.start(config.metrics(), config.aws(), connector.databaseName(), registry))
                    .meters();
        }
        MicrometerDeliveryMetrics metrics = own(new MicrometerDeliveryMetrics(meters));

        SecretNamer namer = SecretNamer.of(config.secrets());
        LoginVerifier verifier = new LoginVerifier(connector, Clock.systemUTC());
        DeliveryPipeline pipeline = new DeliveryPipeline(
                () -> new DeliveryStore(connector), config.delivery().concurrency(),
                new EnvelopeOpener(new KmsKeyUnwrapper(kms)),
                verifier,
                config.delivery().verify(),
                new SecretsManagerSecretWriter(secretsManager, config.secrets().kmsKeyId().orElse(null),
                        config.secrets().description(), config.secrets().tags(),
                        config.secrets().allowConflictingRoles()),
                namer,
                new SecretFields(config.secrets().engine(), config.secrets().host(), config.secrets().port(),
                        connector.databaseName()),
                config.delivery().retryPolicy(),
                RandomGenerator.getDefault(),
                Sleeper.SYSTEM, Clock.systemUTC(), metrics,
                turnGate);
        AckTracker tracker = new AckTracker();
        worker = new DeliveryWorker(pipeline, tracker, config.delivery().maxBatch());
        source = new ReplicationSource(connector, new ReplicationSettings(config.replication().slot(),
                config.replication().publication(), config.replication().statusInterval(),
                config.replication().reconnectInitial(), config.replication().reconnectMax()), tracker, worker);

        // Before the start-up scan, so that every event is either found by it or streamed.
        source.ensureSlotAndPublication();
        DatabaseGauges gauges = own(new DatabaseGauges(connector, config.replication().slot(), meters).start());
        if (config.metrics().enabled()) {
            metricsServer = own(MetricsServer.start(config.metrics().host(), config.metrics().port(), registry,
                    () -> ReadinessReport.empty()
                            .with("streaming", source.isStreaming())
                            .with("database", gauges.snapshot().isPresent())
                            .with("aws", pipeline.awsAnswering())));
        }

        if (config.drift().enabled()) {
            DriftCheck check = new DriftCheck(new SecretsManagerPasswordReader(secretsManager), verifier, namer,
                    connector.databaseName());
            DriftGauges driftGauges = own(new DriftGauges(meters, Clock.systemUTC()));
            own(new DriftMonitor(connector, check, config.drift(), source::isStreaming, driftGauges).start());
        }

        deliveryThread = new Thread(this::deliver, "credsync-delivery");
        replicationThread = new Thread(this::replicate, "credsync-replication");
        deliveryThread.start();
        replicationThread.start();
    }

    /** The port the metrics endpoint listens on; -1 when it is switched off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /**
     * Waits until the service stops, by {@link #requestStop} or by a failure.
     *
     * @return the failure that stopped it, or null after a requested stop
     */
    public Throwable awaitStopped() throws InterruptedException {
        finished.await();
        return failure.get();
    }

    /** Asks the service to stop; {@link #awaitStopped} then returns. Any thread; idempotent. */
    public void requestStop() {
        finished.countDown();
    }

    /**
     * Stops the threads in order (delivery first, so that the final status update covers its
     * last round), then closes every resource, each in its own try. Returns within about ten
     * seconds.
     */
    @Override
    public void close() {
        if (worker != null) {
            worker.stop();
        }
        join(deliveryThread, DELIVERY_GRACE, "delivery");
        if (source != null) {
            source.stop();
        }
        join(replicationThread, JOIN_TIMEOUT, "replication");
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("cannot close {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private void deliver() {
        try {
            worker.catchUp();
            worker.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // An Error too (an outbox row too large for the heap): a thread that died silently would
            // leave a process that looks alive and delivers nothing; stopping makes it exit 1.
            fail("delivery", e);
        }
    }

    private void replicate() {
        try {
            source.run();
        } catch (ReplicationException | RuntimeException | Error e) {
            fail("replication", e);
        }
    }

    private void fail(String what, Throwable e) {
        log.error("the {} thread stopped: {}", what, e.getMessage(), e);
        failure.compareAndSet(null, e);
        finished.countDown();
    }

    private static void join(Thread thread, Duration timeout, String what) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                log.warn("the {} thread did not finish within {} ms; interrupting it", what, timeout.toMillis());
                thread.interrupt();
                thread.join(JOIN_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** credsync's version, from the jar's manifest; {@code development} when run from classes. */
    public static String version() {
        String version = ConsumerService.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }
}
