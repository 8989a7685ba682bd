package io.credsync.service;

import io.credsync.CredsyncVersion;
import io.credsync.config.AwsClients;
import io.credsync.config.CredsyncConfig;
import io.credsync.config.DatabaseConnector;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.KmsKeyUnwrapper;
import io.credsync.delivery.DeliveryPipeline;
import io.credsync.delivery.DeliveryStore;
import io.credsync.delivery.LoginVerifier;
import io.credsync.delivery.RoleLocks;
import io.credsync.install.ClusterDatabases;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.credsync.delivery.SecretFields;
import io.credsync.delivery.Sleeper;
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
import io.credsync.replication.ReplicationException;
import io.credsync.replication.ReplicationSettings;
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
 * The long-running consumer, assembled from its configuration: for each covered database with
 * credsync (the home database, then the others, and any created later), a {@link DatabaseStream}
 * with a replication thread that owns that database's slot and a delivery thread that writes
 * secrets; the discovery thread; and the metrics endpoint.
 *
 * <p>Start-up order matters: each slot is created (if missing) before its outbox is scanned for
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
    /** How often the consumer looks for a covered database it does not stream yet. */
    private static final Duration DISCOVERY_INTERVAL = Duration.ofSeconds(10);

    private final CredsyncConfig config;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** One per database streamed, the home database's first; added to by the discovery thread. */
    private final List<DatabaseStream> streams = new CopyOnWriteArrayList<>();
    private final List<DeliveryPipeline> pipelines = new CopyOnWriteArrayList<>();
    /** Databases without credsync, warned about once. */
    private final Set<String> uncovered = ConcurrentHashMap.newKeySet();
    private final Object streamsLock = new Object();
    private boolean closing;
    private Function<DatabaseConnector, DeliveryPipeline> pipelineFactory;
    private MeterRegistry meters;
    private ScheduledExecutorService discovery;
    private MetricsServer metricsServer;

    private ConsumerService(CredsyncConfig config) {
        this.config = config;
    }

    /**
     * Builds the consumer from {@code config}, prepares the slots and starts the threads.
     *
     * @throws ReplicationException if a slot or publication cannot be used (the message says
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
        log.info("starting credsync {} for database {} on {}:{}, slot {}, covering databases: {}", CredsyncVersion.current(),
                config.database().name(), config.database().host(), config.database().port(),
                config.replication().slot(), config.database().databases());
        DatabaseConnector connector = config.database().connector();
        if (config.drift().enabled() && config.drift().autoRotate()) {
            DriftMonitor.requireRotatePermission(connector);
        }
        KmsClient kms = own(AwsClients.build(KmsClient.builder(), config.aws().region(),
                config.aws().kmsEndpoint().orElse(null), null));
        SecretsManagerClient secretsManager = own(AwsClients.build(SecretsManagerClient.builder(),
                config.aws().region(), config.aws().secretsManagerEndpoint().orElse(null), null));
        CredsyncMeterRegistry registry = CredsyncMeterRegistry.create();
        resources.push(registry::close);
        // credsync's own meters go to Prometheus and, when switched on, to CloudWatch as well.
        meters = registry;
        if (config.metrics().cloudwatchEnabled()) {
            meters = own(CloudWatchExport.start(config.metrics(), config.aws(), connector.databaseName(), registry))
                    .meters();
        }
        MicrometerDeliveryMetrics metrics = own(new MicrometerDeliveryMetrics(meters));

        SecretNamer namer = SecretNamer.of(config.secrets());
        EnvelopeOpener opener = new EnvelopeOpener(new KmsKeyUnwrapper(kms));
        SecretsManagerSecretWriter writer = new SecretsManagerSecretWriter(secretsManager,
                config.secrets().kmsKeyId().orElse(null), config.secrets().description(), config.secrets().tags(),
                config.secrets().allowConflictingRoles());
        // The secret belongs to the role, not to the database a change came from: its name and its
        // dbname field are the home database's, whichever database's outbox the change is in.
        SecretFields fields = new SecretFields(config.secrets().engine(), config.secrets().host(),
                config.secrets().port(), connector.databaseName());
        RoleLocks roleLocks = RoleLocks.shared();
        pipelineFactory = databaseConnector -> {
            DeliveryPipeline pipeline = new DeliveryPipeline(
                    () -> new DeliveryStore(databaseConnector), config.delivery().concurrency(), opener,
                    new LoginVerifier(databaseConnector, Clock.systemUTC()), config.delivery().verify(), writer,
                    namer, fields, config.delivery().retryPolicy(), RandomGenerator.getDefault(), Sleeper.SYSTEM,
                    Clock.systemUTC(), metrics, roleLocks);
            pipelines.add(pipeline);
            return pipeline;
        };

        // Each slot is created before its database's start-up scan, so that every event is either
        // found by the scan or streamed.
        DatabaseStream home = addStream(connector, config.replication().slot());
        home.start();
        discoverDatabases();
        if (config.metrics().enabled()) {
            metricsServer = own(MetricsServer.start(config.metrics().host(), config.metrics().port(), registry,
                    () -> ReadinessReport.empty()
                            .with("streaming", streams.stream().allMatch(DatabaseStream::isStreaming))
                            .with("database", streams.stream().allMatch(DatabaseStream::gaugesRead))
                            .with("aws", pipelines.stream().allMatch(DeliveryPipeline::awsAnswering))));
        }

        if (config.drift().enabled()) {
            LoginVerifier verifier = new LoginVerifier(connector, Clock.systemUTC());
            DriftCheck check = new DriftCheck(new SecretsManagerPasswordReader(secretsManager), verifier, namer,
                    connector.databaseName());
            DriftGauges driftGauges = own(new DriftGauges(meters, Clock.systemUTC()));
            own(new DriftMonitor(connector, check, config.drift(), home::isStreaming, driftGauges).start());
        }
        discovery = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "credsync-discovery");
            thread.setDaemon(true);
            return thread;
        });
        discovery.scheduleWithFixedDelay(this::discoverQuietly, DISCOVERY_INTERVAL.toMillis(),
                DISCOVERY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a stream for each covered database that has credsync and none yet: at start, and then
     * every {@link #DISCOVERY_INTERVAL}, so that a database created later is streamed too.
     */
    private void discoverDatabases() throws SQLException, ReplicationException {
        DatabaseConnector home = config.database().connector();
        List<ClusterDatabases.Streamed> others;
        try (Connection connection = home.connect()) {
            others = ClusterDatabases.streamedOthers(connection, config.database().databases(), home.databaseName());
        }
        for (ClusterDatabases.Streamed database : others) {
            if (streams.stream().anyMatch(s -> s.database().equals(database.name()))) {
                continue;
            }
            DatabaseConnector connector = config.database().connector(database.name());
            if (!hasCredsync(connector)) {
                if (uncovered.add(database.name())) {
                    log.warn("database {} has no credsync: a managed role's password change made there is refused;"
                            + " run credsync install to cover it", database.name());
                }
                continue;
            }
            uncovered.remove(database.name());
            DatabaseStream stream;
            synchronized (streamsLock) {
                if (closing) {
                    return;
                }
                stream = addStream(connector, database.slotName(config.replication().slot()));
            }
            stream.start();
            log.info("streaming database {} from slot {}", database.name(), stream.slot());
        }
    }

    private void discoverQuietly() {
        try {
            discoverDatabases();
        } catch (SQLException e) {
            log.warn("cannot look for new databases (SQLState {}); trying again in {} s", e.getSQLState(),
                    DISCOVERY_INTERVAL.toSeconds());
        } catch (ReplicationException | RuntimeException e) {
            log.warn("cannot stream a new database: {}; trying again in {} s", e.getMessage(),
                    DISCOVERY_INTERVAL.toSeconds());
        }
    }

    private DatabaseStream addStream(DatabaseConnector connector, String slot) {
        DatabaseStream stream = new DatabaseStream(connector, new ReplicationSettings(slot,
                config.replication().publication(), config.replication().statusInterval(),
                config.replication().reconnectInitial(), config.replication().reconnectMax()),
                config.delivery().maxBatch(), pipelineFactory, DatabaseGauges.tagged(connector, slot, meters),
                this::fail);
        streams.add(stream);
        return stream;
    }

    private static boolean hasCredsync(DatabaseConnector connector) throws SQLException {
        try (Connection connection = connector.connect()) {
            return ClusterDatabases.Streamed.hasCredsync(connection);
        }
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
     * Stops the threads in order (every delivery first, so that the final status updates cover
     * their last rounds), then closes every resource, each in its own try. Returns within about
     * ten seconds.
     */
    @Override
    public void close() {
        synchronized (streamsLock) {
            closing = true;
        }
        if (discovery != null) {
            // Waited for: a round in progress could otherwise start a stream after the others stopped.
            discovery.shutdownNow();
            try {
                if (!discovery.awaitTermination(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("the discovery thread did not stop within {} ms", JOIN_TIMEOUT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        streams.forEach(DatabaseStream::stopDelivery);
        streams.forEach(stream -> stream.joinDelivery(DELIVERY_GRACE, JOIN_TIMEOUT));
        streams.forEach(DatabaseStream::stopReplication);
        streams.forEach(stream -> stream.joinReplication(JOIN_TIMEOUT));
        for (DatabaseStream stream : streams) {
            stream.close();
        }
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("cannot close {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private void fail(String what, Throwable e) {
        log.error("the {} thread stopped: {}", what, e.getMessage(), e);
        failure.compareAndSet(null, e);
        finished.countDown();
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }
}
