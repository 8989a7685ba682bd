package io.credsync.service;

import io.credsync.config.DatabaseConnector;
import io.credsync.delivery.DeliveryPipeline;
import io.credsync.delivery.DeliveryWorker;
import io.credsync.metrics.DatabaseGauges;
import io.credsync.replication.AckTracker;
import io.credsync.replication.ReplicationException;
import io.credsync.replication.ReplicationSettings;
import io.credsync.replication.ReplicationSource;
import java.sql.SQLException;
import java.time.Duration;
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
 * <p>{@link #start}, {@link #stopDelivery}, {@link #stopReplication} and {@link #close} are
 * called by one thread; {@link #isStreaming} and {@link #gaugesRead} by any.
 */
final class DatabaseStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStream.class);

    private final String database;
    private final String slot;
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
        this.worker = new DeliveryWorker(pipelines.apply(connector), tracker, maxBatch);
        this.source = new ReplicationSource(connector, settings, tracker, worker);
    }

    String database() {
        return database;
    }

    String slot() {
        return slot;
    }

    /**
     * Creates the slot if missing, then starts the threads: the delivery thread first delivers
     * every outbox row without a delivery row, which the slot, created before, cannot miss.
     */
    void start() throws SQLException, ReplicationException {
        source.ensureSlotAndPublication();
        gauges.start();
        deliveryThread = new Thread(this::deliver, "credsync-delivery-" + database);
        replicationThread = new Thread(this::replicate, "credsync-replication-" + database);
        deliveryThread.start();
        replicationThread.start();
    }

    boolean isStreaming() {
        return source.isStreaming();
    }

    boolean gaugesRead() {
        return gauges.snapshot().isPresent();
    }

    /** Asks the delivery thread to finish its round; {@link #joinDelivery} waits for it. */
    void stopDelivery() {
        worker.stop();
    }

    void joinDelivery(Duration grace, Duration afterInterrupt) {
        join(deliveryThread, grace, afterInterrupt, "delivery");
    }

    /** Asks the replication thread to confirm what is done and stop; {@link #joinReplication} waits. */
    void stopReplication() {
        source.stop();
    }

    void joinReplication(Duration timeout) {
        join(replicationThread, timeout, timeout, "replication");
    }

    @Override
    public void close() {
        gauges.close();
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

    private void join(Thread thread, Duration timeout, Duration afterInterrupt, String what) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                log.warn("the {} thread of database {} did not finish within {} ms; interrupting it", what, database,
                        timeout.toMillis());
                thread.interrupt();
                thread.join(afterInterrupt.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
