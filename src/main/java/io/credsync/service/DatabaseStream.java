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
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database's part of the consumer: its slot and replication thread, its delivery thread
 * (delivering through a pipeline of its own, whose role locks are shared with the other
 * databases'), and its gauges. A password change is captured into the outbox of the database it
 * is made from, and a logical slot decodes only its own database, so the consumer has one of
 * these per database.
 *
 * <p>{@link #prepare}, {@link #start}, {@link #stopDelivery}, {@link #stopReplication} and
 * {@link #close} are called by one thread; {@link #isStreaming} and {@link #answering} by any.
 */
final class DatabaseStream {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStream.class);

    private final String database;
    private final String slot;
    private final DeliveryPipeline pipeline;
    private final DeliveryWorker worker;
    private final ReplicationSource source;
    private final DatabaseGauges gauges;
    private final BiConsumer<String, Throwable> onFailure;
    private Thread replicationThread;
    private Thread deliveryThread;

    /**
     * @param pipelines makes the delivery pipeline of a database, from its connector
     * @param onFailure told when a thread stops on a failure: what stopped, and why
     */
    DatabaseStream(DatabaseConnector connector, ReplicationSettings settings, int maxBatch,
            Function<DatabaseConnector, DeliveryPipeline> pipelines, DatabaseGauges gauges,
            BiConsumer<String, Throwable> onFailure) {
        this.database = connector.databaseName();
        this.slot = settings.slotName();
        this.gauges = Objects.requireNonNull(gauges, "gauges");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        AckTracker tracker = new AckTracker();
        this.pipeline = pipelines.apply(connector);
        this.worker = new DeliveryWorker(pipeline, tracker, maxBatch);
        this.source = new ReplicationSource(connector, settings, tracker, worker);
    }

    String database() {
        return database;
    }

    String slot() {
        return slot;
    }

    /**
     * Checks the publication and creates the slot if missing; before {@link #start}, whose
     * delivery thread first delivers every outbox row without a delivery row, which the slot,
     * created before, cannot miss.
     */
    void prepare() throws SQLException, ReplicationException {
        source.ensureSlotAndPublication();
    }

    /** Starts the gauges and the threads; after {@link #prepare}. */
    void start() {
        gauges.start();
        deliveryThread = new Thread(this::deliver, "credsync-delivery-" + database);
        replicationThread = new Thread(this::replicate, "credsync-replication-" + database);
        deliveryThread.start();
        replicationThread.start();
    }

    boolean isStreaming() {
        return source.isStreaming();
    }

    /** Whether the last poll of this database's gauges succeeded. */
    boolean answering() {
        return gauges.answering();
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

    /** Closes the gauges, and the pipeline when no delivery thread ever ran to close it. */
    void close(Deadline deadline) {
        if (deliveryThread == null) {
            pipeline.close(deadline);
        }
        gauges.close(deadline);
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
        } catch (ReplicationException | RuntimeException | Error e) {
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
