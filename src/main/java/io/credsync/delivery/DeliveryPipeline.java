package io.credsync.delivery;

import io.credsync.config.VerifyMode;
import io.credsync.connection.RetryPolicy;
import io.credsync.crypto.EnvelopeException;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.EventPayload;
import io.credsync.crypto.TransientCryptoException;
import io.credsync.lifecycle.Deadline;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretUpdate;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretWriteResult;
import io.credsync.secrets.SecretWriter;
import io.credsync.verify.LoginVerifier;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns outbox events into secret writes and durable delivery rows: at least once, per role in
 * order, never regressing, coalescing (of a role's pending events only the newest is written),
 * and publishing only a password that logs in ({@link LoginVerifier}). Permanent errors become {@code failed} rows and the rest goes on; transient ones
 * are retried with backoff until they pass or the thread is interrupted, in which case nothing
 * is recorded for the unfinished events and they are delivered again later.
 *
 * <p>Roles are independent, so the roles of one batch are delivered by up to {@code concurrency}
 * threads at once, each with a database connection of its own; a role's events stay on one
 * thread, in order, and a batch is finished (every outcome recorded) before the next begins, so
 * that per role nothing overtakes. Why: each role costs a KMS decrypt, a login and three
 * Secrets Manager calls, tens of milliseconds that are mostly waiting, and a burst that changes
 * a hundred roles would otherwise wait for them one after another.
 *
 * <p>{@link #deliver} and {@link #undelivered} are called by one thread, the delivery thread.
 * Whether AWS answers is not the pipeline's to say: see {@link AwsAnswers}.
 */
public final class DeliveryPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryPipeline.class);
    private static final Duration VISIBILITY_WAIT = Duration.ofMillis(5);
    private static final int VISIBILITY_CHECKS = 1_000;
    /**
     * How many of a role's changes committed since its batch was read join the batch at most:
     * the newest matter, and any older ones left out are superseded cheaply when they come.
     */
    private static final int MAX_COMMITTED_SINCE = 100;

    /** The delivery thread's own store, for the batch-wide reads. */
    private final DeliveryStore store;
    /** The stores of the role tasks, one per task running at once. */
    private final BlockingQueue<DeliveryStore> roleStores;
    private final List<DeliveryStore> allStores = new ArrayList<>();
    private final ExecutorService roleExecutor;
    private final EnvelopeOpener opener;
    private final LoginVerifier verifier;
    private final VerifyMode verifyMode;
    private final SecretWriter writer;
    private final SecretNamer namer;
    private final SecretFields fields;
    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final Sleeper sleeper;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final RoleLocks roleLocks;
    private final WriteRateLimiter writeRate;

    /** As the full constructor, with role locks of its own, shared with no other pipeline. */
    public DeliveryPipeline(Supplier<DeliveryStore> stores, int concurrency, EnvelopeOpener opener,
            LoginVerifier verifier, VerifyMode verifyMode, SecretWriter writer, SecretNamer namer,
            SecretFields fields, RetryPolicy retry, RandomGenerator random, Sleeper sleeper, Clock clock,
            DeliveryMetrics metrics, WriteRateLimiter writeRate) {
        this(stores, concurrency, opener, verifier, verifyMode, writer, namer, fields, retry, random, sleeper, clock,
                metrics, writeRate, RoleLocks.shared());
    }

    /**
     * @param stores makes a store (a database connection of its own): one for the delivery thread
     *     and one per role task
     * @param concurrency how many roles are delivered at once, at least 1
     * @param writeRate the ceiling on secret writes, shared by the role threads and by the
     *     pipelines of the other databases of the cluster
     * @param roleLocks shared with the pipelines of the other databases of the cluster, so that a
     *     role's deliveries are serial across them (see {@link RoleLocks})
     */
    public DeliveryPipeline(Supplier<DeliveryStore> stores, int concurrency, EnvelopeOpener opener,
            LoginVerifier verifier, VerifyMode verifyMode, SecretWriter writer, SecretNamer namer,
            SecretFields fields, RetryPolicy retry, RandomGenerator random, Sleeper sleeper, Clock clock,
            DeliveryMetrics metrics, WriteRateLimiter writeRate, RoleLocks roleLocks) {
        this.roleLocks = Objects.requireNonNull(roleLocks, "roleLocks");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        this.store = Objects.requireNonNull(stores.get(), "store");
        allStores.add(store);
        this.roleStores = new ArrayBlockingQueue<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            DeliveryStore roleStore = Objects.requireNonNull(stores.get(), "store");
            allStores.add(roleStore);
            roleStores.add(roleStore);
        }
        AtomicInteger threads = new AtomicInteger();
        this.roleExecutor = Executors.newFixedThreadPool(concurrency, task -> {
            Thread thread = new Thread(task, "credsync-delivery-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.opener = Objects.requireNonNull(opener, "opener");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.verifyMode = Objects.requireNonNull(verifyMode, "verifyMode");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.namer = Objects.requireNonNull(namer, "namer");
        this.fields = Objects.requireNonNull(fields, "fields");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.random = Objects.requireNonNull(random, "random");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.writeRate = Objects.requireNonNull(writeRate, "writeRate");
    }

    /**
     * Delivers {@code events} and records an outcome for each before returning.
     *
     * @param events events in commit order; those that already have a delivery row are skipped
     * @param lsn the commit position the events came with, recorded with them; null for events
     *     read from the table at start-up. A role's changes committed since join its events, and are
     *     recorded with no LSN either
     * @throws InterruptedException when asked to stop; the events not yet recorded stay pending
     */
    public void deliver(List<OutboxEvent> events, Lsn lsn) throws InterruptedException {
        List<OutboxEvent> pending = withoutDelivered(events);
        Map<String, List<OutboxEvent>> byRole = pending.stream().collect(
                Collectors.groupingBy(OutboxEvent::roleName, LinkedHashMap::new, Collectors.toList()));
        RoleTasks tasks = new RoleTasks(byRole.size());
        try {
            for (List<OutboxEvent> roleEvents : byRole.values()) {
                tasks.submit(() -> deliverAndRecord(roleEvents, lsn));
            }
            tasks.awaitAll();
        } finally {
            // Interrupted, or a task failed: the others stop too (their events stay pending, to be
            // delivered again), and none may still run when the caller goes on.
            tasks.stopAndAwait();
        }
    }

    private interface RoleTask {
        void run() throws InterruptedException;
    }

    /** The role tasks of one batch: submitted, awaited, and stopped together. */
    private final class RoleTasks {
        private final CompletionService<Void> completion = new ExecutorCompletionService<>(roleExecutor);
        private int submitted;
        private final CountDownLatch ended;
        private final Set<Thread> running = ConcurrentHashMap.newKeySet();
        private volatile boolean stopping;

        RoleTasks(int count) {
            ended = new CountDownLatch(count);
        }

        void submit(RoleTask task) {
            submitted++;
            completion.submit(() -> {
                try {
                    running.add(Thread.currentThread());
                    // After joining running: stopAndAwait sets stopping first, then interrupts running.
                    if (!stopping) {
                        task.run();
                    }
                    return null;
                } finally {
                    running.remove(Thread.currentThread());
                    ended.countDown();
                }
            });
        }

        /** Waits for every task, in the order they finish, so that the first failure ends the wait. */
        void awaitAll() throws InterruptedException {
            for (int i = 0; i < submitted; i++) {
                try {
                    completion.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof InterruptedException) {
                        throw (InterruptedException) cause;
                    }
                    if (cause instanceof RuntimeException) {
                        throw (RuntimeException) cause;
                    }
                    if (cause instanceof Error) {
                        throw (Error) cause;
                    }
                    throw new IllegalStateException("a role's delivery failed", cause);
                }
            }
        }

        void stopAndAwait() {
            stopping = true;
            running.forEach(Thread::interrupt);
            boolean interrupted = false;
            while (true) {
                try {
                    ended.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One role's events, on a role task's thread with a store of its own, holding the role's lock
     * until the outcomes are recorded: the pipelines of other databases deliver the role's changes
     * made there, and must not overlap with this.
     */
    private void deliverAndRecord(List<OutboxEvent> roleEvents, Lsn lsn) throws InterruptedException {
        DeliveryStore roleStore = roleStores.take();
        try {
            ReentrantLock roleLock = roleLocks.of(roleEvents.get(0).roleName());
            roleLock.lockInterruptibly();
            try {
                List<DeliveryRecord> records = deliverRole(roleStore, roleEvents, lsn);
                retrying(roleStore, "record delivery outcomes", () -> {
                    roleStore.record(records);
                    return null;
                });
                records.forEach(r -> metrics.recordOutcome(r.status(), reasonCode(r.reason())));
            } finally {
                roleLock.unlock();
            }
        } finally {
            roleStores.add(roleStore);
        }
    }

    /**
     * Up to {@code limit} events after {@code afterId} that have no delivery row, oldest first;
     * waits for the database when it is away.
     */
    public List<OutboxEvent> undelivered(long afterId, int limit) throws InterruptedException {
        return retrying(store, "read undelivered outbox rows", () -> store.undelivered(afterId, limit));
    }

    /** As {@link #close(Deadline)}, with 5 s to spare. */
    @Override
    public void close() {
        close(Deadline.after(Duration.ofSeconds(5)));
    }

    /**
     * Interrupts the role threads, waits for them until {@code deadline}, and closes every store's
     * connection. A role thread still running then (in a call that ignores interrupts) is left
     * behind: it records nothing more, because its store's connection is closed.
     */
    public void close(Deadline deadline) {
        roleExecutor.shutdownNow();
        try {
            if (!deadline.awaitTermination(roleExecutor)) {
                log.warn("the delivery's role threads did not stop by the shutdown deadline; leaving them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        allStores.forEach(DeliveryStore::close);
    }

    private List<OutboxEvent> withoutDelivered(List<OutboxEvent> events) throws InterruptedException {
        Set<Long> delivered = retrying(store, "read delivery rows",
                () -> store.alreadyDelivered(events.stream().map(OutboxEvent::id).toList()));
        return events.stream().filter(e -> !delivered.contains(e.id())).toList();
    }

    /**
     * Coalesces one role's events: the newest is written, and the others are superseded by it.
     * Should the newest be rejected or fail (its password does not log in and nothing newer
     * exists, its envelope is bad), the next newest is tried: a forged or broken event must not
     * hide the real change before it. Should it be superseded (a newer change replaced its
     * password meanwhile), so are the older ones, untried.
     *
     * <p>The role's changes committed since the batch was read join it (recorded with no LSN,
     * like events read from the table): in a burst, changes commit faster than they are
     * delivered, so by the time the batch's newest is tried, its password has often been replaced
     * already, and each older one would be decrypted and tried in vain after it.
     */
    private List<DeliveryRecord> deliverRole(DeliveryStore store, List<OutboxEvent> roleEvents, Lsn lsn)
            throws InterruptedException {
        String role = roleEvents.get(0).roleName();
        // The wait for the write ceiling comes before the role's newer rows are read, so that the
        // changes committed while it waited join this write instead of waiting for their own.
        awaitWriteToken();
        long newestId = roleEvents.stream().mapToLong(OutboxEvent::id).max().orElseThrow();
        List<OutboxEvent> committedSince = retrying(store, "read the role's newer outbox rows",
                () -> store.newerUndelivered(role, newestId, MAX_COMMITTED_SINCE));
        Set<Long> readFromTable = committedSince.stream().map(OutboxEvent::id).collect(Collectors.toSet());
        List<OutboxEvent> newestFirst = Stream.concat(roleEvents.stream(), committedSince.stream())
                .sorted(Comparator.comparingLong(OutboxEvent::orderKey).thenComparingLong(OutboxEvent::id).reversed())
                .toList();
        List<DeliveryRecord> records = new ArrayList<>();
        OutboxEvent written = null;
        boolean holdsToken = true;
        for (OutboxEvent event : newestFirst) {
            Lsn eventLsn = readFromTable.contains(event.id()) ? null : lsn;
            if (written != null) {
                records.add(DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, 0,
                        "coalesced: event " + written.id() + " is newer for this role", eventLsn));
                continue;
            }
            // Every log line of the event's handling carries its id and role (fields of the JSON logs).
            try (MDC.MDCCloseable eventId = MDC.putCloseable("event_id", event.eventId().toString());
                    MDC.MDCCloseable roleName = MDC.putCloseable("role", event.roleName())) {
                DeliveryRecord outcome = deliverNewest(store, event, eventLsn, holdsToken);
                holdsToken = false;
                records.add(outcome);
                if (outcome.status() == DeliveryStatus.SYNCED || outcome.status() == DeliveryStatus.SUPERSEDED) {
                    // Superseded: a newer change of the role exists, which replaces the older ones too;
                    // trying them would decrypt and log in for nothing.
                    written = event;
                }
            }
        }
        return records;
    }

    /** Takes a token of the write ceiling, waiting for one if need be, and counts the wait. */
    private void awaitWriteToken() throws InterruptedException {
        Duration waited = writeRate.acquire();
        if (!waited.isZero()) {
            metrics.recordWriteThrottled(waited);
        }
    }

    /**
     * Delivers one event: decrypts, verifies and writes it, retrying transient failures.
     *
     * @param holdsToken whether the caller took a token of the write ceiling for the first
     *     attempt; every other attempt takes one of its own before it decrypts
     */
    private DeliveryRecord deliverNewest(DeliveryStore store, OutboxEvent event, Lsn lsn, boolean holdsToken)
            throws InterruptedException {
        OptionalLong newestSynced = retrying(store, "read the role's last synced event",
                () -> store.newestSyncedOrderKey(event.roleName()));
        if (newestSynced.isPresent() && newestSynced.getAsLong() > event.orderKey()) {
            return DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, 0,
                    "regression: event " + newestSynced.getAsLong() + " of this role is already synced", lsn);
        }
        int attempts = 0;
        while (true) {
            attempts++;
            if (attempts > 1 || !holdsToken) {
                awaitWriteToken();
            }
            try {
                EventPayload payload = open(event);
                Optional<DeliveryRecord> unpublished = verify(store, event, payload, attempts, lsn);
                if (unpublished.isPresent()) {
                    return unpublished.get();
                }
                String secretName = namer.nameFor(fields.dbname(), event.roleName());
                SecretWriteResult result = write(new SecretUpdate(secretName, event.eventId(), fields.engine(),
                        fields.host(), fields.port(), fields.dbname(), event.roleName(), payload.password()));
                metrics.recordEventLag(Duration.between(event.createdAt(), clock.instant()));
                log.info("synced event {} of role {} to secret {} version {}", event.eventId(), event.roleName(),
                        result.arn(), result.versionId());
                roleLocks.noteSynced(event.roleName(), event.createdAt(),
                        "event " + event.id() + " of database " + store.databaseName());
                return DeliveryRecord.synced(event, attempts, result.arn(), result.versionId(), lsn);
            } catch (EnvelopeException e) {
                // The message starts with the reason code already ("MALFORMED: ..."): that is the recorded reason.
                log.warn("event {} of role {} failed: {}", event.eventId(), event.roleName(), e.getMessage());
                return DeliveryRecord.of(event, DeliveryStatus.FAILED, attempts, e.getMessage(), lsn);
            } catch (SecretWriteException e) {
                if (!e.isTransient()) {
                    log.warn("event {} of role {} failed: {}", event.eventId(), event.roleName(), e.getMessage());
                    // A permanent refusal needs a person to fix its cause; then a replay delivers the event.
                    return DeliveryRecord.of(event, DeliveryStatus.FAILED, attempts, e.errorCode() + ": "
                            + e.getMessage() + "; once that is fixed, `credsync replay " + event.id()
                            + "` delivers this change", lsn);
                }
                if (Thread.interrupted()) {
                    // Interrupted while waiting for the write ceiling: stopping, not AWS failing.
                    throw new InterruptedException("stopped while waiting to write");
                }
                pause(attempts, "Secrets Manager", e.errorCode());
            } catch (TransientCryptoException e) {
                pause(attempts, "KMS", e.errorCode());
            } catch (SQLException e) {
                store.discardIfBroken(e);
                pause(attempts, "PostgreSQL (the login check)", "SQLState " + e.getSQLState());
            }
        }
    }

    /**
     * Tries the password before it is published (see {@link LoginVerifier}).
     *
     * @return the event's outcome when it must not be published, else empty
     * @throws SQLException when the database could not be asked: retried like a transient AWS error
     */
    private Optional<DeliveryRecord> verify(DeliveryStore store, OutboxEvent event, EventPayload payload, int attempts,
            Lsn lsn)
            throws SQLException, InterruptedException {
        if (verifyMode == VerifyMode.OFF) {
            return Optional.empty();
        }
        awaitVisible(store, event);
        LoginVerifier.Verdict verdict = verifier.verify(event.roleName(), payload.password(),
                store.roleLogin(event.roleName()));
        if (verdict instanceof LoginVerifier.Refused refused) {
            OptionalLong newer = store.newerEvent(event.roleName(), event.orderKey());
            if (newer.isPresent()) {
                return Optional.of(DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, attempts, "PasswordReplaced: "
                        + refused.reason() + "; event " + newer.getAsLong() + " of this role is newer", lsn));
            }
            Optional<String> newerElsewhere = roleLocks.syncedAfter(event.roleName(), event.createdAt());
            if (newerElsewhere.isPresent()) {
                return Optional.of(DeliveryRecord.of(event, DeliveryStatus.SUPERSEDED, attempts, "PasswordReplaced: "
                        + refused.reason() + "; " + newerElsewhere.get() + ", a newer change of this role, is synced",
                        lsn));
            }
            log.warn("event {} of role {} rejected: {}", event.eventId(), event.roleName(), refused.reason());
            return Optional.of(DeliveryRecord.of(event, DeliveryStatus.REJECTED, attempts, "PasswordDoesNotLogIn: "
                    + refused.reason() + " (a forged event, a change that rolled back, or a password changed"
                    + " again since)", lsn));
        }
        if (verdict instanceof LoginVerifier.CannotTry cannot) {
            if (verifyMode == VerifyMode.REQUIRED) {
                log.warn("event {} of role {} failed: cannot verify: {}", event.eventId(), event.roleName(),
                        cannot.reason());
                return Optional.of(DeliveryRecord.of(event, DeliveryStatus.FAILED, attempts, "CannotVerify: "
                        + cannot.reason() + "; with delivery.verify: best-effort such events are published"
                        + " unverified", lsn));
            }
            log.warn("publishing event {} of role {} unverified: {}", event.eventId(), event.roleName(),
                    cannot.reason());
            metrics.recordUnverifiedPublish();
        }
        return Optional.empty();
    }

    /**
     * Waits until a new snapshot sees the event's row, and with it the role's new password: a
     * login tried earlier could be refused with the old password still in force. The wait is
     * normally nothing; it is bounded, and a row still invisible after it is a database problem.
     */
    private void awaitVisible(DeliveryStore store, OutboxEvent event) throws SQLException, InterruptedException {
        for (int attempt = 0; !store.isVisible(event.id()); attempt++) {
            if (attempt == VISIBILITY_CHECKS) {
                throw new SQLException("outbox row " + event.id() + " is not visible to new sessions", "55000");
            }
            sleeper.sleep(VISIBILITY_WAIT);
        }
    }

    private EventPayload open(OutboxEvent event) throws EnvelopeException, TransientCryptoException {
        Instant start = clock.instant();
        try {
            EventPayload payload = opener.open(event.envelope(), event.eventId().value(), event.roleName());
            metrics.recordKmsCall(Duration.between(start, clock.instant()), null);
            return payload;
        } catch (EnvelopeException e) {
            // Only a failure KMS reported is a KMS error; a bad envelope is not KMS's.
            metrics.recordKmsCall(Duration.between(start, clock.instant()), e.awsErrorCode().orElse(null));
            throw e;
        } catch (TransientCryptoException e) {
            metrics.recordKmsCall(Duration.between(start, clock.instant()), e.errorCode());
            throw e;
        }
    }

    private SecretWriteResult write(SecretUpdate update) throws SecretWriteException {
        Instant start = clock.instant();
        try {
            SecretWriteResult result = writer.write(update);
            metrics.recordSecretsManagerCall(Duration.between(start, clock.instant()), null);
            return result;
        } catch (SecretWriteException e) {
            metrics.recordSecretsManagerCall(Duration.between(start, clock.instant()), e.errorCode());
            throw e;
        }
    }

    private void pause(int attempt, String service, String errorCode) throws InterruptedException {
        Duration delay = delay(attempt - 1);
        log.warn("{} answered {}; retrying in {} ms", service, errorCode, delay.toMillis());
        sleeper.sleep(delay);
    }

    /** The retry delay; the generator is shared by the role threads and is not thread-safe itself. */
    private Duration delay(int attempt) {
        synchronized (random) {
            return retry.delay(attempt, random);
        }
    }

    private interface DatabaseCall<T> {
        T call() throws SQLException;
    }

    /** The database is the record: without it nothing can be recorded, so wait for it. */
    private <T> T retrying(DeliveryStore store, String what, DatabaseCall<T> call) throws InterruptedException {
        for (int attempt = 0;; attempt++) {
            try {
                return call.call();
            } catch (SQLException e) {
                store.discardIfBroken(e);
                Duration delay = delay(attempt);
                log.warn("cannot {} (SQLState {}); retrying in {} ms", what, e.getSQLState(), delay.toMillis());
                sleeper.sleep(delay);
            }
        }
    }

    /** The code before the first colon of a reason, for a low-cardinality metric tag. */
    private static String reasonCode(String reason) {
        if (reason == null) {
            return null;
        }
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }
}
