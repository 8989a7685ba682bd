package io.credsync.service;

import io.credsync.CredsyncVersion;
import io.credsync.aws.AwsClients;
import io.credsync.config.CredsyncConfig;
import io.credsync.connection.ConnectionPool;
import io.credsync.connection.DatabaseConnector;
import io.credsync.connection.PgConnector;
import io.credsync.connection.RetryPolicy;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.KmsKeyUnwrapper;
import io.credsync.delivery.AwsAnswers;
import io.credsync.delivery.DeliveryPipeline;
import io.credsync.delivery.RoleLocks;
import io.credsync.delivery.SecretFields;
import io.credsync.delivery.Sleeper;
import io.credsync.delivery.WriteRateLimiter;
import io.credsync.drift.AutoRotateNotPermittedException;
import io.credsync.drift.DriftCheck;
import io.credsync.drift.DriftMonitor;
import io.credsync.install.ClusterDatabases;
import io.credsync.lifecycle.Deadline;
import io.credsync.metrics.CloudWatchExport;
import io.credsync.metrics.CredsyncMeterRegistry;
import io.credsync.metrics.DatabaseGauges;
import io.credsync.metrics.DriftGauges;
import io.credsync.metrics.MetricsServer;
import io.credsync.metrics.MicrometerDeliveryMetrics;
import io.credsync.metrics.Readiness;
import io.credsync.metrics.ReadinessReport;
import io.credsync.release.ReleasedDatabase;
import io.credsync.release.Releases;
import io.credsync.replication.ReplicationException;
import io.credsync.replication.ReplicationSettings;
import io.credsync.replication.ReplicationSource;
import io.credsync.replication.SlotMissingException;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretWriter;
import io.credsync.secrets.SecretsManagerPasswordReader;
import io.credsync.secrets.SecretsManagerSecretWriter;
import io.credsync.secrets.WriteCeilingInterceptor;
import io.credsync.status.ClusterStatusPoller;
import io.credsync.status.WatchedDatabase;
import io.credsync.verify.LoginVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
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
 * <p>Start-up order matters. The metrics endpoint comes first, so that while the database is
 * awaited ({@link DatabaseStartupWait}) the process answers {@code /health/live} and reports
 * {@code /health/ready} false. Each slot is created (if missing) before its outbox is scanned for
 * rows without a delivery row, so that every event is either found by the scan or streamed.
 *
 * <p>Shutdown keeps to one {@link Deadline}, which {@link #close(Deadline)} shares out: the
 * delivery rounds in progress may finish (or are abandoned: unrecorded events are delivered again
 * later) while enough is left for the rest; then each replication thread sends a final status
 * update, so that what was done is confirmed; then every resource closes within what is left.
 *
 * <p>{@link #start} and {@link #close} are called by one thread; {@link #requestStop} from any.
 */
public final class ConsumerService {

    private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);
    /** What the delivery rounds leave for the threads and resources that close after them. */
    private static final Duration AFTER_DELIVERY = Duration.ofSeconds(3);
    /** What abandoned delivery rounds leave for the replication threads and the resources. */
    private static final Duration AFTER_ABANDONED_DELIVERY = Duration.ofSeconds(2);
    /** What the replication threads' final status updates and closes leave for the resources. */
    private static final Duration AFTER_REPLICATION = Duration.ofMillis(500);
    /** How long closing may take after a failed start: as long as after a signal. */
    private static final Duration CLOSE_AFTER_FAILED_START = Duration.ofSeconds(9);
    /** How long stopping a released database's stream may take. */
    private static final Duration RELEASE_STOP = Duration.ofSeconds(10);
    /** How long stopping a dropped database's stream may take: nothing left there can be finished. */
    private static final Duration DROPPED_STOP = Duration.ofSeconds(2);
    /** How often the consumer looks for a covered database it does not stream yet. */
    private static final Duration DISCOVERY_INTERVAL = Duration.ofSeconds(10);
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
    /** One per database streamed, the home database's first; added to by the discovery thread. */
    private final List<DatabaseStream> streams = new CopyOnWriteArrayList<>();
    /** Databases without credsync, warned about once. */
    private final Set<String> uncovered = ConcurrentHashMap.newKeySet();
    /** Released databases whose pending events were logged, by OID: logged once. */
    private final Set<Long> draining = ConcurrentHashMap.newKeySet();
    /** Released databases whose transactions older than the release were logged, by OID: logged once. */
    private final Set<Long> waitingForOlder = ConcurrentHashMap.newKeySet();
    /** Whether the releases could not be read (no privilege, an older schema): warned about once. */
    private boolean releasesUnreadable;
    /** The OIDs released, as the last discovery round read them. */
    private volatile Set<Long> releasedOids = Set.of();
    /** Streams whose replication thread ended on their slot's going missing or their database's drop. */
    private final Set<DatabaseStream> ended = ConcurrentHashMap.newKeySet();
    /** Databases whose slot went missing, by OID, not streamed until {@link #DISCOVERY_INTERVAL} later. */
    private final Map<Long, MissingSlot> missingSlots = new ConcurrentHashMap<>();
    private final Object streamsLock = new Object();
    private boolean closing;
    private Function<DatabaseConnector, DeliveryPipeline> pipelineFactory;
    private MeterRegistry meters;
    private ClusterStatusPoller statusPoller;
    private volatile ScheduledExecutorService discovery;
    private ConnectionPool discoveryConnections;
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
     * Opens the metrics endpoint, waits for the home database (up to
     * {@code database.startup_timeout}), prepares the slots and starts the threads. Returns early,
     * with nothing streaming, when {@link #requestStop} is called while the database is awaited.
     * On failure, what was started is closed again.
     *
     * @throws ReplicationException if a slot or publication cannot be used (the message says
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
        log.info("starting credsync {} for database {} on {}:{}, slot {}, covering databases: {}",
                CredsyncVersion.current(), config.database().name(), config.database().host(),
                config.database().port(), config.replication().slot(), config.database().databases());
        DatabaseConnector connector = PgConnector.of(config.database());
        CredsyncMeterRegistry registry = CredsyncMeterRegistry.create();
        resources.push(deadline -> registry.close());
        // credsync's own meters go to Prometheus and, when switched on, to CloudWatch as well.
        meters = registry;
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
        MicrometerDeliveryMetrics metrics = own(new MicrometerDeliveryMetrics(meters));

        SecretNamer namer = SecretNamer.of(config.secrets());
        AwsAnswers aws = new AwsAnswers();
        EnvelopeOpener opener = new EnvelopeOpener(aws.watching(new KmsKeyUnwrapper(kms)));
        SecretWriter writer = aws.watching(new SecretsManagerSecretWriter(secretsManager,
                config.secrets().kmsKeyId().orElse(null), config.secrets().description(), config.secrets().tags(),
                config.secrets().allowConflictingRoles()));
        // The secret belongs to the role, not to the database a change came from: its name and its
        // dbname field are the home database's, whichever database's outbox the change is in.
        SecretFields fields = new SecretFields(config.secrets().engine(), config.secrets().host(),
                config.secrets().port(), connector.databaseName());
        RoleLocks roleLocks = RoleLocks.shared();
        // The login check connects to the database the secret names (the home database), as the
        // drift check does, whichever database the change was made from: "the secret logs in", and
        // a role that pg_hba.conf or CONNECT keeps out of some databases is still verified.
        LoginVerifier verifier = new LoginVerifier(connector, Clock.systemUTC());
        // One housekeeping thread for the connection pools of every database, rather than one each.
        ScheduledExecutorService poolHousekeeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "credsync-pool-housekeeper");
            thread.setDaemon(true);
            return thread;
        });
        // Closed after the streams (resources close after them, last pushed first): a pool's
        // housekeeping is never cancelled under it.
        resources.push(deadline -> poolHousekeeper.shutdownNow());
        // A connection for each role thread, and one for the delivery thread's batch reads.
        int poolSize = config.delivery().concurrency() + 1;
        // Discovery's connection to the home database stays open between rounds (the pool closes it
        // only after IDLE_TIMEOUT, far longer than DISCOVERY_INTERVAL): a new login every round
        // cost an idle consumer a SCRAM key derivation, its largest idle cost, every 10 s.
        discoveryConnections = own(ConnectionPool.open(connector, 1, poolHousekeeper));
        pipelineFactory = databaseConnector -> new DeliveryPipeline(
                ConnectionPool.open(databaseConnector, poolSize, poolHousekeeper), config.delivery().concurrency(),
                opener, verifier, config.delivery().verify(), writer,
                namer, fields, new RetryPolicy(config.delivery().retryInitial(), config.delivery().retryMax()),
                RandomGenerator.getDefault(), Sleeper.SYSTEM,
                Clock.systemUTC(), metrics, turnGate, roleLocks);

        // One poller reads every database's slot and backlog for the gauges and readiness.
        ClusterStatusPoller poller = new ClusterStatusPoller(connector, ClusterStatusPoller.DEFAULT_INTERVAL,
                Clock.systemUTC());
        resources.push(poller::close);
        statusPoller = poller;

        // Each slot is created before its database's start-up scan, so that every event is either
        // found by the scan or streamed. The home database is awaited; the others are found once it
        // answers, and again every DISCOVERY_INTERVAL.
        DatabaseStream home = addStream(connector, -1, config.replication().slot());
        if (!databaseWait.run("to check the publication and the replication slot", home::prepare)) {
            return;
        }
        home.start();
        poller.start();
        discoverDatabases();
        readiness.set(() -> ReadinessReport.empty()
                .with("streaming", streams.stream().allMatch(DatabaseStream::isStreaming))
                .with("database", streams.stream().allMatch(DatabaseStream::answering))
                .with("kms", aws.kmsAnswering())
                .with("secretsmanager", aws.secretsManagerAnswering()));

        if (config.drift().enabled()) {
            DriftCheck check = new DriftCheck(new SecretsManagerPasswordReader(secretsManager), verifier, namer,
                    connector.databaseName());
            DriftGauges driftGauges = own(new DriftGauges(meters, Clock.systemUTC()));
            DriftMonitor monitor = new DriftMonitor(connector, check, config.drift(), home::isStreaming, driftGauges)
                    .start();
            resources.push(monitor::close);
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
        List<ClusterDatabases.Streamed> others;
        Set<Long> finished;
        Set<Long> existing;
        try (Connection connection = discoveryConnections.connection()) {
            existing = ClusterDatabases.oids(connection);
            others = ClusterDatabases.streamedOthers(connection, config.database().databases(),
                    discoveryConnections.databaseName());
            finished = carryOutReleases(connection, others);
        }
        if (!retireEnded(existing)) {
            return;
        }
        long now = System.nanoTime();
        for (ClusterDatabases.Streamed database : others) {
            // By OID: a database dropped and created again under its name is another database.
            if (finished.contains(database.oid()) || streams.stream().anyMatch(s -> s.oid() == database.oid())) {
                continue;
            }
            MissingSlot missing = missingSlots.get(database.oid());
            if (missing != null && now - missing.sinceNanos() < DISCOVERY_INTERVAL.toNanos()) {
                continue;
            }
            DatabaseConnector connector = PgConnector.of(config.database().withName(database.name()));
            boolean covered;
            try {
                covered = hasCredsync(connector);
            } catch (SQLException e) {
                if (!"3D000".equals(e.getSQLState())) {
                    throw e;
                }
                // Dropped since the listing: the next round says so, if it was streamed.
                continue;
            }
            if (!covered) {
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
                stream = addStream(connector, database.oid(), database.slotName(config.replication().slot()));
            }
            try {
                stream.prepare();
            } catch (SQLException | ReplicationException | RuntimeException e) {
                // Not started: the next round tries again with a new stream.
                streams.remove(stream);
                stream.close(Deadline.after(DROPPED_STOP));
                throw e;
            }
            stream.start();
            if (missingSlots.remove(database.oid()) != null) {
                log.error("replication slot {} of database {} was missing and has been created again: outbox rows"
                        + " committed while it was missing are delivered by the scan for rows without a delivery;"
                        + " if this was not a deliberate drop, find out who dropped it", stream.slot(),
                        database.name());
            } else {
                log.info("streaming database {} from slot {}", database.name(), stream.slot());
            }
        }
    }

    /** A database whose slot went missing while it was streamed: when, and what was pending there then. */
    private record MissingSlot(String name, long sinceNanos, OptionalLong pending) {
    }

    /**
     * A replication thread ended on a {@link ReplicationException}. That stops the consumer (an
     * operator must fix something), unless it is another database's and its slot went missing or
     * the database itself is gone (by OID): then discovery retires the stream, at once.
     */
    private void streamEnded(DatabaseStream stream, ReplicationException why) {
        if (stream.oid() >= 0 && (why instanceof SlotMissingException || dropped(stream.oid()))) {
            ended.add(stream);
            ScheduledExecutorService rounds = discovery;
            if (rounds == null) {
                return; // the first round, started with the discovery thread, retires it
            }
            try {
                rounds.execute(this::discoverQuietly);
            } catch (RejectedExecutionException e) {
                log.debug("not retiring the stream of database {}: the consumer is stopping", stream.database());
            }
            return;
        }
        fail("replication of database " + stream.database(), why);
    }

    /** Whether the database of {@code oid} no longer exists; false when that cannot be read. */
    private boolean dropped(long oid) {
        try (Connection home = discoveryConnections.connection()) {
            return !ClusterDatabases.oids(home).contains(oid);
        } catch (SQLException e) {
            log.warn("cannot read whether database OID {} still exists (SQLState {})", oid, e.getSQLState());
            return false;
        }
    }

    /**
     * Stops the streams of databases that are gone (dropped without {@code release-database}: what
     * was pending there went with them) and of those whose slot went missing (most often dropped by
     * hand on the way to {@code DROP DATABASE}): each stream's connections close, so that the DROP
     * is not blocked, and its slot is not created again before the round after next, in
     * {@link #DISCOVERY_INTERVAL}, if the database is still there. Creating it at once would make a
     * DROP DATABASE that follows fail on the active slot. Says once for each dropped database that its
     * pending events were lost.
     *
     * @return false when the consumer is closing
     */
    private boolean retireEnded(Set<Long> existing) {
        for (DatabaseStream stream : streams) {
            boolean gone = stream.oid() >= 0 && !existing.contains(stream.oid());
            if (!gone && !ended.contains(stream)) {
                continue;
            }
            synchronized (streamsLock) {
                if (closing) {
                    return false;
                }
                streams.remove(stream);
            }
            ended.remove(stream);
            OptionalLong pending = stream.lastPendingEvents();
            stream.stop(Deadline.after(gone ? DROPPED_STOP : RELEASE_STOP));
            if (gone) {
                warnDropped(stream.database(), stream.oid(), pending);
            } else {
                missingSlots.put(stream.oid(), new MissingSlot(stream.database(), System.nanoTime(), pending));
                log.info("replication slot {} of database {} is gone (dropped by hand, or lost in a failover): its"
                        + " stream stopped and its connections closed, so that a DROP DATABASE {} is not blocked;"
                        + " if the database stays, the slot is created again in {} s and what was committed"
                        + " meanwhile is delivered from the outbox table", stream.slot(), stream.database(),
                        stream.database(), DISCOVERY_INTERVAL.toSeconds());
            }
        }
        for (Map.Entry<Long, MissingSlot> missing : missingSlots.entrySet()) {
            if (!existing.contains(missing.getKey()) && missingSlots.remove(missing.getKey()) != null) {
                warnDropped(missing.getValue().name(), missing.getKey(), missing.getValue().pending());
            }
        }
        return true;
    }

    private void warnDropped(String name, long oid, OptionalLong pending) {
        draining.remove(oid);
        waitingForOlder.remove(oid);
        log.warn("database {} (OID {}) was dropped {} credsync release-database: its stream stopped and the other"
                + " databases are delivered as before; the events pending there ({}) were lost with it, so a role"
                + " whose last change was made there may have a stale secret (the drift check reports it; change"
                + " its password again). Run credsync release-database before DROP DATABASE: it delivers them first",
                name, oid, releasedOids.contains(oid) ? "before" : "without",
                pending.isPresent() ? pending.getAsLong() + " when last counted" : "their number unknown");
    }

    /**
     * Carries out the releases recorded in the home database ({@code credsync release-database}):
     * a released database is streamed until nothing is pending in its outbox (a consumer that
     * restarts meanwhile streams it again, and its start-up scan delivers what is pending), then its
     * stream stops and its slot is dropped, the other streams going on.
     *
     * @return the released databases that are done with: not to be streamed again
     */
    private Set<Long> carryOutReleases(Connection home, List<ClusterDatabases.Streamed> others) throws SQLException {
        Set<Long> released = readReleases(home);
        releasedOids = released;
        if (released.isEmpty()) {
            return Set.of();
        }
        Set<Long> finished = new HashSet<>();
        for (ClusterDatabases.Streamed database : others) {
            if (!released.contains(database.oid())) {
                continue;
            }
            String slot = database.slotName(config.replication().slot());
            Releases.Outstanding outstanding;
            try (Connection there = PgConnector.of(config.database().withName(database.name())).connect()) {
                outstanding = ClusterDatabases.Streamed.hasCredsync(there) ? Releases.outstanding(there)
                        : Releases.Outstanding.NONE;
            }
            long pending = outstanding.pendingEvents();
            long older = outstanding.olderSessions();
            if (pending > 0) {
                if (draining.add(database.oid())) {
                    log.info("database {} is released: delivering its {} pending event(s) before dropping slot {}",
                            database.name(), pending, slot);
                }
                continue;
            }
            if (older > 0) {
                // Such a transaction may still capture a change there, which only this slot would deliver.
                if (waitingForOlder.add(database.oid())) {
                    log.info("database {} is released: waiting for {} transaction(s) there that began before the"
                            + " release to end before dropping slot {}", database.name(), older, slot);
                }
                continue;
            }
            DatabaseStream stream = streams.stream().filter(s -> s.oid() == database.oid()).findFirst().orElse(null);
            if (stream != null) {
                synchronized (streamsLock) {
                    if (closing) {
                        return finished;
                    }
                    streams.remove(stream);
                }
                stream.stop(Deadline.after(RELEASE_STOP));
            }
            finished.add(database.oid());
            if (Releases.slotState(home, slot) == Releases.SlotState.MISSING) {
                continue;
            }
            // The walsender may still be on its way out; the next round tries again.
            if (Releases.dropSlotIfIdle(home, slot)) {
                log.info("database {} is released: nothing is pending there, its stream stopped and slot {} is"
                        + " dropped; DROP DATABASE {} can run", database.name(), slot, database.name());
            }
        }
        return finished;
    }

    private Set<Long> readReleases(Connection home) throws SQLException {
        try {
            Set<Long> released = Releases.read(home).stream().map(ReleasedDatabase::oid).collect(Collectors.toSet());
            releasesUnreadable = false;
            return released;
        } catch (SQLException e) {
            // No privilege (a consumer role granted before releases existed) or no table (an older schema).
            if (!"42501".equals(e.getSQLState()) && !"42P01".equals(e.getSQLState())) {
                throw e;
            }
            if (!releasesUnreadable) {
                log.warn("cannot read credsync.released_database (SQLState {}): released databases are streamed as"
                        + " any other; run credsync install --consumer-role with the consumer's role", e.getSQLState());
                releasesUnreadable = true;
            }
            return Set.of();
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

    private DatabaseStream addStream(DatabaseConnector connector, long oid, String slot) {
        WatchedDatabase status = statusPoller.watch(connector, slot);
        DatabaseStream stream = new DatabaseStream(connector, oid, new ReplicationSettings(slot,
                config.replication().publication(), config.replication().statusInterval(),
                config.replication().reconnectInitial(), config.replication().reconnectMax()),
                config.delivery().maxBatch(), pipelineFactory, status,
                DatabaseGauges.tagged(meters, connector.databaseName(), slot, status::snapshot),
                // The home database's slot is created again at once; another database's only by a
                // later discovery round, once it is clear that it is not being dropped (see retireEnded).
                oid < 0 ? ReplicationSource.MissingSlot.CREATE_AGAIN : ReplicationSource.MissingSlot.END_STREAM,
                this::fail, this::streamEnded);
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

    /**
     * Asks the service to stop: {@link #awaitStopped} then returns, and a {@link #start} waiting
     * for the database returns. Any thread; idempotent.
     */
    public void requestStop() {
        databaseWait.stop();
        finished.countDown();
    }

    /**
     * Stops the threads in order (every delivery first, so that the final status updates cover
     * their last rounds), then closes every resource, each in its own try, all by
     * {@code deadline}: a component that is not done by its share of it is abandoned, never
     * waited for longer.
     */
    public void close(Deadline deadline) {
        synchronized (streamsLock) {
            closing = true;
        }
        if (discovery != null) {
            // Waited for: a round in progress could otherwise start a stream after the others stopped.
            discovery.shutdownNow();
            try {
                if (!deadline.reserving(AFTER_DELIVERY).awaitTermination(discovery)) {
                    log.warn("the discovery thread did not stop in time for the shutdown deadline");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Deadline abandonDelivery = deadline.reserving(AFTER_ABANDONED_DELIVERY);
        streams.forEach(stream -> stream.stopDelivery(abandonDelivery));
        streams.forEach(stream -> stream.joinDelivery(deadline.reserving(AFTER_DELIVERY), abandonDelivery));
        Deadline replicationDone = deadline.reserving(AFTER_REPLICATION);
        streams.forEach(stream -> stream.stopReplication(replicationDone));
        streams.forEach(stream -> stream.joinReplication(replicationDone));
        for (DatabaseStream stream : streams) {
            stream.close(deadline);
        }
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

    private void fail(String what, Throwable e) {
        log.error("the {} thread stopped: {}", what, e.getMessage(), e);
        failure.compareAndSet(null, e);
        finished.countDown();
    }

    /** A resource that closes quickly whatever the deadline (a client, a registry). */
    private <T extends AutoCloseable> T own(T resource) {
        resources.push(deadline -> resource.close());
        return resource;
    }
}
