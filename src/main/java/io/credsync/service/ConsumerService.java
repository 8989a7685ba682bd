package io.credsync.service;

import io.credsync.config.AwsClients;
import io.credsync.config.CredsyncConfig;
import io.credsync.config.DatabaseConnector;
import io.credsync.config.RetryPolicy;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.KmsKeyUnwrapper;
import io.credsync.delivery.AwsAnswers;
import io.credsync.delivery.DeliveryPipeline;
import io.credsync.delivery.DeliveryStore;
import io.credsync.delivery.DeliveryWorker;
import io.credsync.delivery.LoginVerifier;
import io.credsync.delivery.SecretFields;
import io.credsync.delivery.Sleeper;
import io.credsync.drift.AutoRotateNotPermittedException;
import io.credsync.drift.DriftCheck;
import io.credsync.drift.DriftMonitor;
import io.credsync.lifecycle.Deadline;
import io.credsync.metrics.CloudWatchExport;
import io.credsync.metrics.CredsyncMeterRegistry;
import io.credsync.metrics.DatabaseGauges;
import io.credsync.metrics.DriftGauges;
import io.credsync.metrics.MetricsServer;
import io.credsync.metrics.MicrometerDeliveryMetrics;
import io.credsync.metrics.Readiness;
import io.credsync.metrics.ReadinessReport;
import io.credsync.replication.AckTracker;
import io.credsync.replication.ReplicationException;
import io.credsync.replication.ReplicationSettings;
import io.credsync.replication.ReplicationSource;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretsManagerPasswordReader;
import io.credsync.secrets.SecretsManagerSecretWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
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
 * <p>Start-up order matters. The metrics endpoint comes first, so that while the database is
 * awaited ({@link DatabaseStartupWait}) the process answers {@code /health/live} and reports
 * {@code /health/ready} false. The slot is created (if missing) before the outbox is scanned for
 * rows without a delivery row, so that every event is either found by the scan or streamed.
 *
 * <p>Shutdown keeps to one {@link Deadline}, which {@link #close(Deadline)} shares out: the
 * delivery round in progress may finish (or is abandoned: unrecorded events are delivered again
 * later) while enough is left for the rest; then the replication thread sends a final status
 * update, so that what was done is confirmed; then every resource closes within what is left.
 *
 * <p>{@link #start} and {@link #close} are called by one thread; {@link #requestStop} from any.
 */
public final class ConsumerService {

    private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);
    /** What the delivery round leaves for the threads and resources that close after it. */
    private static final Duration AFTER_DELIVERY = Duration.ofSeconds(3);
    /** What an abandoned delivery round leaves for the replication thread and the resources. */
    private static final Duration AFTER_ABANDONED_DELIVERY = Duration.ofSeconds(2);
    /** What the replication thread's final status update and close leave for the resources. */
    private static final Duration AFTER_REPLICATION = Duration.ofMillis(500);
    /** How long closing may take after a failed start: as long as after a signal. */
    private static final Duration CLOSE_AFTER_FAILED_START = Duration.ofSeconds(9);
    /** Readiness until the components run: nothing streams, and the database is awaited. */
    private static final Readiness STARTING = () -> ReadinessReport.empty()
            .with("database", false).with("streaming", false);

    /** A resource closed at shutdown, within the deadline it is given. */
    @FunctionalInterface
    private interface Resource {
        void close(Deadline deadline) throws Exception;
    }

    private final CredsyncConfig config;
    private final Deque<Resource> resources = new ArrayDeque<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<Readiness> readiness = new AtomicReference<>(STARTING);
    private final DatabaseStartupWait databaseWait;
    private ReplicationSource source;
    private DeliveryWorker worker;
    private Thread replicationThread;
    private Thread deliveryThread;
    private MetricsServer metricsServer;

    private ConsumerService(CredsyncConfig config) {
        this.config = config;
        this.databaseWait = new DatabaseStartupWait(config.database().describe(), config.database().startupTimeout(),
                new RetryPolicy(config.replication().reconnectInitial(), config.replication().reconnectMax()),
                RandomGenerator.getDefault(), System::nanoTime);
    }

    /** A consumer for {@code config}; nothing runs until {@link #start}. */
    public static ConsumerService create(CredsyncConfig config) {
        return new ConsumerService(config);
    }

    /**
     * Opens the metrics endpoint, waits for the database (up to {@code database.startup_timeout}),
     * prepares the slot and starts the threads. Returns early, with nothing streaming, when
     * {@link #requestStop} is called while the database is awaited. On failure, what was started
     * is closed again.
     *
     * @throws ReplicationException if the slot or publication cannot be used (the message says
     *     what to do)
     * @throws SQLException if the database refused something that waiting does not fix (wrong
     *     credentials, no such database, a missing privilege)
     * @throws DatabaseUnavailableException if the database could not be reached within
     *     {@code database.startup_timeout}
     * @throws IOException if the metrics endpoint cannot listen
     * @throws AutoRotateNotPermittedException if {@code drift.auto_rotate} is on and the role may
     *     not rotate
     * @throws InterruptedException if the starting thread is interrupted
     */
    public void start() throws ReplicationException, SQLException, DatabaseUnavailableException, IOException,
            AutoRotateNotPermittedException, InterruptedException {
        try {
            startComponents();
        } catch (ReplicationException | SQLException | DatabaseUnavailableException | IOException
                | AutoRotateNotPermittedException | InterruptedException | RuntimeException e) {
            close(Deadline.after(CLOSE_AFTER_FAILED_START));
            throw e;
        }
    }

    private void startComponents() throws ReplicationException, SQLException, DatabaseUnavailableException,
            IOException, AutoRotateNotPermittedException, InterruptedException {
        log.info("starting credsync {} for database {} on {}:{}, slot {}", version(), config.database().name(),
                config.database().host(), config.database().port(), config.replication().slot());
        DatabaseConnector connector = config.database().connector();
        CredsyncMeterRegistry registry = CredsyncMeterRegistry.create();
        resources.push(deadline -> registry.close());
        // credsync's own meters go to Prometheus and, when switched on, to CloudWatch as well.
        MeterRegistry meters = registry;
        if (config.metrics().cloudwatchEnabled()) {
            CloudWatchExport export = CloudWatchExport.start(config.metrics(), config.aws(), connector.databaseName(),
                    registry);
            resources.push(export::close);
            meters = export.meters();
        }
        if (config.metrics().enabled()) {
            metricsServer = MetricsServer.start(config.metrics().host(), config.metrics().port(), registry,
                    () -> readiness.get().check());
            resources.push(metricsServer::close);
        }

        if (config.drift().enabled() && config.drift().autoRotate()
                && !databaseWait.run("to check that the role may rotate (drift.auto_rotate)",
                        () -> DriftMonitor.requireRotatePermission(connector))) {
            return;
        }
        KmsClient kms = own(AwsClients.build(KmsClient.builder(), config.aws().region(),
                config.aws().kmsEndpoint().orElse(null), null));
        SecretsManagerClient secretsManager = own(AwsClients.build(SecretsManagerClient.builder(),
                config.aws().region(), config.aws().secretsManagerEndpoint().orElse(null), null));
        MicrometerDeliveryMetrics metrics = own(new MicrometerDeliveryMetrics(meters));

        SecretNamer namer = SecretNamer.of(config.secrets());
        LoginVerifier verifier = new LoginVerifier(connector, Clock.systemUTC());
        AwsAnswers aws = new AwsAnswers();
        DeliveryPipeline pipeline = new DeliveryPipeline(
                () -> new DeliveryStore(connector), config.delivery().concurrency(),
                new EnvelopeOpener(aws.watching(new KmsKeyUnwrapper(kms))),
                verifier,
                config.delivery().verify(),
                aws.watching(new SecretsManagerSecretWriter(secretsManager, config.secrets().kmsKeyId().orElse(null),
                        config.secrets().description(), config.secrets().tags(),
                        config.secrets().allowConflictingRoles())),
                namer,
                new SecretFields(config.secrets().engine(), config.secrets().host(), config.secrets().port(),
                        connector.databaseName()),
                config.delivery().retryPolicy(),
                RandomGenerator.getDefault(),
                Sleeper.SYSTEM, Clock.systemUTC(), metrics);
        // Closed here only if the delivery thread never ran; otherwise that thread closes it.
        resources.push(deadline -> {
            if (deliveryThread == null) {
                pipeline.close(deadline);
            }
        });
        AckTracker tracker = new AckTracker();
        worker = new DeliveryWorker(pipeline, tracker, config.delivery().maxBatch());
        source = new ReplicationSource(connector, new ReplicationSettings(config.replication().slot(),
                config.replication().publication(), config.replication().statusInterval(),
                config.replication().reconnectInitial(), config.replication().reconnectMax()), tracker, worker);

        // Before the start-up scan, so that every event is either found by it or streamed.
        if (!databaseWait.run("to check the publication and the replication slot", source::ensureSlotAndPublication)) {
            return;
        }
        DatabaseGauges gauges = new DatabaseGauges(connector, config.replication().slot(), meters).start();
        resources.push(gauges::close);
        readiness.set(() -> ReadinessReport.empty()
                .with("streaming", source.isStreaming())
                .with("database", gauges.answering())
                .with("kms", aws.kmsAnswering())
                .with("secretsmanager", aws.secretsManagerAnswering()));

        if (config.drift().enabled()) {
            DriftCheck check = new DriftCheck(new SecretsManagerPasswordReader(secretsManager), verifier, namer,
                    connector.databaseName());
            DriftGauges driftGauges = own(new DriftGauges(meters, Clock.systemUTC()));
            DriftMonitor monitor = new DriftMonitor(connector, check, config.drift(), source::isStreaming, driftGauges)
                    .start();
            resources.push(monitor::close);
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

    /**
     * Asks the service to stop: {@link #awaitStopped} then returns, and a {@link #start} waiting
     * for the database returns. Any thread; idempotent.
     */
    public void requestStop() {
        databaseWait.stop();
        finished.countDown();
    }

    /**
     * Stops the threads in order (delivery first, so that the final status update covers its
     * last round), then closes every resource, each in its own try, all by {@code deadline}:
     * a component that is not done by its share of it is abandoned, never waited for longer.
     */
    public void close(Deadline deadline) {
        if (worker != null) {
            worker.stop(deadline.reserving(AFTER_ABANDONED_DELIVERY));
        }
        stop(deliveryThread, deadline.reserving(AFTER_DELIVERY), deadline.reserving(AFTER_ABANDONED_DELIVERY),
                "delivery");
        if (source != null) {
            source.stop(deadline.reserving(AFTER_REPLICATION));
        }
        stop(replicationThread, deadline.reserving(AFTER_REPLICATION), deadline.reserving(AFTER_REPLICATION),
                "replication");
        while (!resources.isEmpty()) {
            Resource resource = resources.pop();
            try {
                resource.close(deadline);
            } catch (Exception e) {
                log.warn("cannot close a resource at shutdown: {}", e.toString());
            }
        }
        if (deadline.passed()) {
            log.warn("shutdown used all of its deadline; what was not recorded is delivered again at the next start");
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

    /**
     * Waits for {@code thread} until {@code finish}; then interrupts it and waits until
     * {@code abandon} at most.
     */
    private static void stop(Thread thread, Deadline finish, Deadline abandon, String what) {
        if (thread == null) {
            return;
        }
        try {
            if (finish.join(thread)) {
                return;
            }
            log.warn("the {} thread did not finish in time for the shutdown deadline; interrupting it", what);
            thread.interrupt();
            if (!abandon.join(thread)) {
                log.warn("the {} thread did not stop in time for the shutdown deadline; leaving it", what);
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

    /** A resource that closes quickly whatever the deadline (a client, a registry). */
    private <T extends AutoCloseable> T own(T resource) {
        resources.push(deadline -> resource.close());
        return resource;
    }
}
