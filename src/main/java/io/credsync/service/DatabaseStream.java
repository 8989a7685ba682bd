package io.credsync.service;

import io.credsync.connection.DatabaseConnector;
import io.credsync.delivery.DeliveryPipeline;
import io.credsync.delivery.DeliveryWorker;
import io.credsync.lifecycle.Deadline;
import io.credsync.metrics.DatabaseGauges;
import io.credsync.replication.AckTracker;
import io.credsync.replication.ReplicationException;
import io.credsync.replication.ReplicationSettings;
import io.credsync.replication.ReplicationSource;
import io.credsync.status.DatabaseSnapshot;
import io.credsync.status.WatchedDatabase;
import java.sql.SQLException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database's part of the consumer: its slot and replication thread, its delivery thread
 * (delivering through a pipeline of its own, whose role locks are shared with the other
 * databases'), and its gauges, whose figures the consumer's one status poller reads. A password change is captured into the outbox of the database it
 * is made from, and a logical slot decodes only its own database, so the consumer has one of
 * these per database.
 *
 * <p>{@link #prepare}, {@link #start}, {@link #stopDelivery}, {@link #stopReplication} and
 * {@link #close} are called by one thread; {@link #isStreaming} and {@link #answering} by any.
 */
final class DatabaseStream {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStream.class);

    /** Told when a stream's replication thread ends on a failure; decides whether that stops the consumer. */
    @FunctionalInterface
    interface EndHandler {
        /**
         * Called on the replication thread, which then ends.
         *
         * @param why what ended it: a {@link io.credsync.replication.SlotMissingException} for a
         *     stream that does not create its slot again, else a failure an operator must fix (or the
         *     database's being dropped)
         */
        void ended(DatabaseStream stream, ReplicationException why);
    }

    private final String database;
    private final long oid;
    private final String slot;
    private final DeliveryPipeline pipeline;
    private final DeliveryWorker worker;
    private final ReplicationSource source;
    private final WatchedDatabase status;
    private final DatabaseGauges gauges;
    private final BiConsumer<String, Throwable> onFailure;
    private final EndHandler onEnd;
    private Thread replicationThread;
    private Thread deliveryThread;

    /**
     * @param oid the database's OID, which releases name it by; -1 for the home database, never released
     * @param pipelines makes the delivery pipeline of a database, from its connector
     * @param status this database as the status poller watches it; closed with the stream
     * @param gauges this database's gauges, over {@code status}; closed with the stream
     * @param missingSlot what the replication thread does when the slot goes missing
     * @param onFailure told when a thread stops on a failure: what stopped, and why
     * @param onEnd told instead when the replication thread ends with a {@link ReplicationException}
     */
    DatabaseStream(DatabaseConnector connector, long oid, ReplicationSettings settings, int maxBatch,
            Function<DatabaseConnector, DeliveryPipeline> pipelines, WatchedDatabase status, DatabaseGauges gauges,
            ReplicationSource.MissingSlot missingSlot, BiConsumer<String, Throwable> onFailure, EndHandler onEnd) {
        this.database = connector.databaseName();
        this.oid = oid;
        this.slot = settings.slotName();
        this.status = Objects.requireNonNull(status, "status");
        this.gauges = Objects.requireNonNull(gauges, "gauges");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
        AckTracker tracker = new AckTracker();
        this.pipeline = pipelines.apply(connector);
        this.worker = new DeliveryWorker(pipeline, tracker, maxBatch);
        this.source = new ReplicationSource(connector, settings, tracker, worker, missingSlot);
    }

    String database() {
        return database;
    }

    String slot() {
        return slot;
    }

    long oid() {
        return oid;
    }

    /**
     * Checks the publication and creates the slot if missing; before {@link #start}, whose
     * delivery thread first delivers every outbox row without a delivery row, which the slot,
     * created before, cannot miss.
     */
    void prepare() throws SQLException, ReplicationException {
        source.ensureSlotAndPublication();
    }

    /** Starts the threads; after {@link #prepare}. */
    void start() {
        deliveryThread = new Thread(this::deliver, "credsync-delivery-" + database);
        replicationThread = new Thread(this::replicate, "credsync-replication-" + database);
        deliveryThread.start();
        replicationThread.start();
    }

    boolean isStreaming() {
        return source.isStreaming();
    }

    /** The events pending in this database's outbox when the status poller last counted them; empty before. */
    OptionalLong lastPendingEvents() {
        return status.snapshot().map(DatabaseSnapshot::pendingEvents).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** Whether the last poll of this database's status succeeded. */
    boolean answering() {
        return status.answering();
    }

    /**
     * Asks the delivery thread to finish its round and close its pipeline by {@code closeBy};
     * {@link #joinDelivery} waits for it.
     */
    void stopDelivery(Deadline closeBy) {
        worker.stop(closeBy);
    }

    /** Waits for the delivery thread until {@code finish}, then interrupts it and waits until {@code abandon}. */
    void joinDelivery(Deadline finish, Deadline abandon) {
        join(deliveryThread, finish, abandon, "delivery");
    }

    /** Asks the replication thread to confirm what is done and stop by {@code deadline}. */
    void stopReplication(Deadline deadline) {
        source.stop(deadline);
    }

    void joinReplication(Deadline deadline) {
        join(replicationThread, deadline, deadline, "replication");
    }

    /**
     * Stops this stream alone, the others going on (a released database): delivery finishes its
     * round, the replication thread confirms what was delivered, then everything closes, all by
     * {@code deadline}.
     */
    void stop(Deadline deadline) {
        stopDelivery(deadline);
        joinDelivery(deadline, deadline);
        stopReplication(deadline);
        joinReplication(deadline);
        close(deadline);
    }

    /** Closes the gauges and the status watch, and the pipeline when no delivery thread ever ran to close it. */
    void close(Deadline deadline) {
        if (deliveryThread == null) {
            pipeline.close(deadline);
        }
        gauges.close();
        status.close();
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
            onFailure.accept("delivery of database " + database, e);
        }
    }

    private void replicate() {
        try {
            source.run();
        } catch (ReplicationException e) {
            onEnd.ended(this, e);
        } catch (RuntimeException | Error e) {
            onFailure.accept("replication of database " + database, e);
        }
    }

    private void join(Thread thread, Deadline finish, Deadline abandon, String what) {
        if (thread == null) {
            return;
        }
        try {
            if (finish.join(thread)) {
                return;
            }
            log.warn("the {} thread of database {} did not finish in time for the shutdown deadline; interrupting it",
                    what, database);
            thread.interrupt();
            if (!abandon.join(thread)) {
                log.warn("the {} thread of database {} did not stop in time for the shutdown deadline; leaving it",
                        what, database);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
