package io.credsync.delivery;

import io.credsync.config.VerifyMode;
import io.credsync.connection.ConnectionPool;
import io.credsync.connection.RetryPolicy;
import io.credsync.crypto.EnvelopeOpener;
import io.credsync.lifecycle.Deadline;
import io.credsync.outbox.OutboxEvent;
import io.credsync.replication.Lsn;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretWriter;
import io.credsync.verify.LoginVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Turns outbox events into secret writes and durable delivery rows: at least once, per role in
 * order, never regressing, coalescing (of a role's pending events only the newest is written),
 * and publishing only a password that logs in ({@link LoginVerifier}). Permanent errors become
 * {@code failed} rows and the rest goes on; transient ones are retried with backoff until they
 * pass or the thread is interrupted, in which case nothing is recorded for the unfinished events
 * and they are delivered again later.
 *
 * <p>The pipeline is the wiring: it groups a batch by role and hands each role to
 * {@link RoleDelivery} (one role's coalescing, checks, write and record) on a
 * {@link RoleExecutor} (up to {@code concurrency} roles at once, a batch finished before the next
 * begins, so that per role nothing overtakes), all over one {@link DeliveryStore} on a
 * {@link ConnectionPool} of {@code concurrency + 1} connections, which the pipeline owns. Why
 * concurrent: each role costs a KMS decrypt, a login and three Secrets Manager calls, tens of
 * milliseconds that are mostly waiting, and a burst that changes a hundred roles would otherwise
 * wait for them one after another.
 *
 * <p>{@link #deliver} and {@link #undelivered} are called by one thread, the delivery thread;
 * {@link #close} by it, or by the thread that owns the pipeline when no delivery thread ran.
 * Whether AWS answers is not the pipeline's to say: see {@link AwsAnswers}.
 */
public final class DeliveryPipeline implements AutoCloseable {

    private final ConnectionPool pool;
    private final DeliveryStore store;
    private final RoleExecutor roleExecutor;
    private final RoleDelivery roleDelivery;
    private final Backoff backoff;

    /** As the full constructor, with role locks of its own, shared with no other pipeline. */
    public DeliveryPipeline(ConnectionPool pool, int concurrency, EnvelopeOpener opener,
            LoginVerifier verifier, VerifyMode verifyMode, SecretWriter writer, SecretNamer namer,
            SecretFields fields, RetryPolicy retry, RandomGenerator random, Sleeper sleeper, Clock clock,
            DeliveryMetrics metrics, WriteRateLimiter writeRate) {
        this(pool, concurrency, opener, verifier, verifyMode, writer, namer, fields, retry, random, sleeper, clock,
                metrics, writeRate, RoleLocks.shared());
    }

    /**
     * @param pool the database's connections, closed by {@link #close}; at least
     *     {@code concurrency} connections, so that no role waits for one
     * @param concurrency how many roles are delivered at once, at least 1
     * @param writeRate the ceiling on secret writes, shared by the role threads and by the
     *     pipelines of the other databases of the cluster
     * @param roleLocks shared with the pipelines of the other databases of the cluster, so that a
     *     role's deliveries are serial across them (see {@link RoleLocks})
     */
    public DeliveryPipeline(ConnectionPool pool, int concurrency, EnvelopeOpener opener,
            LoginVerifier verifier, VerifyMode verifyMode, SecretWriter writer, SecretNamer namer,
            SecretFields fields, RetryPolicy retry, RandomGenerator random, Sleeper sleeper, Clock clock,
            DeliveryMetrics metrics, WriteRateLimiter writeRate, RoleLocks roleLocks) {
        // First: it checks concurrency, and starts no thread until a batch comes.
        this.roleExecutor = new RoleExecutor(concurrency);
        this.pool = Objects.requireNonNull(pool, "pool");
        this.store = new DeliveryStore(pool);
        this.backoff = new Backoff(retry, random, sleeper);
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(roleLocks, "roleLocks");
        PublishCheck publishCheck = new PublishCheck(store, verifier, verifyMode, roleLocks, metrics, backoff);
        this.roleDelivery = new RoleDelivery(new RoleDelivery.Parts(store, opener, publishCheck, writer, namer,
                fields, backoff, clock, metrics, roleLocks, writeRate));
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
        Map<String, List<OutboxEvent>> byRole = withoutDelivered(events).stream().collect(
                Collectors.groupingBy(OutboxEvent::roleName, LinkedHashMap::new, Collectors.toList()));
        roleExecutor.runAll(byRole.values().stream()
                .<RoleExecutor.RoleTask>map(roleEvents -> () -> roleDelivery.deliverAndRecord(roleEvents, lsn))
                .toList());
    }

    /**
     * Up to {@code limit} events after {@code afterId} that have no delivery row, oldest first;
     * waits for the database when it is away.
     */
    public List<OutboxEvent> undelivered(long afterId, int limit) throws InterruptedException {
        return backoff.untilAnswered("read undelivered outbox rows", () -> store.undelivered(afterId, limit));
    }

    /** As {@link #close(Deadline)}, with 5 s to spare. */
    @Override
    public void close() {
        close(Deadline.after(Duration.ofSeconds(5)));
    }

    /**
     * Interrupts the role threads, waits for them until {@code deadline}, and closes the pool. A
     * role thread still running then (in a call that ignores interrupts) is left behind: it
     * records nothing more, because its connection is aborted.
     */
    public void close(Deadline deadline) {
        roleExecutor.close(deadline);
        pool.close();
    }

    private List<OutboxEvent> withoutDelivered(List<OutboxEvent> events) throws InterruptedException {
        Set<Long> delivered = backoff.untilAnswered("read delivery rows",
                () -> store.alreadyDelivered(events.stream().map(OutboxEvent::id).toList()));
        return events.stream().filter(e -> !delivered.contains(e.id())).toList();
    }
}
