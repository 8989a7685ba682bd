package io.credsync.replication;

import io.credsync.connection.DatabaseConnector;
import io.credsync.connection.WaitableSocket;
import io.credsync.connection.WaitableSocketFactory;
import io.credsync.lifecycle.Deadline;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams committed inserts into {@code credsync.outbox} from a logical replication slot
 * (pgoutput, protocol version 1) and hands them, one transaction at a time, to an
 * {@link OutboxBatchSink}; reports to the server only positions its {@link AckTracker} says
 * are delivered; reconnects by itself when the connection or the server goes away.
 *
 * <p><b>Threads.</b> {@link #run()} owns the replication connection and stream on the calling
 * thread until {@link #stop()} or a failure an operator must fix. {@link #stop()} and
 * {@link #isStreaming()} may be called from any thread. {@link #ensureSlotAndPublication()}
 * uses its own connection and may be called from any thread, typically once before
 * {@code run()}. A source runs once: create a new one to run again.
 *
 * <p><b>What is requested.</b> {@code proto_version} 1 and the publication, nothing else: no
 * streaming of large in-progress transactions (protocol 2) and no two-phase decoding
 * (protocol 3). Outbox transactions are small, and a transaction is only ever seen whole,
 * after its Commit, so a rolled-back change never reaches the sink. A Stream or Prepare message
 * is therefore a protocol mismatch and treated like a decoding error (see
 * {@link BatchAssembler}).
 *
 * <p><b>Waiting.</b> The loop reads with PgJDBC's non-blocking {@code readPending()} until it
 * returns nothing, then sleeps on the connection's {@link WaitableSocket} until the server sends
 * something (data or a keepalive), a status interval passes, or {@link #stop()} wakes it. A stream
 * with nothing in flight doubles its wait each time one passes without a message, up to
 * {@link #IDLE_WAIT_MAX} (never below the status interval), and only a batch handed over brings it
 * back to the status interval: with nothing handed over, nothing can become confirmable but a
 * position the server sends, and that message ends the wait at once (and is confirmed at once), so
 * the slot holds no more WAL than before; the server's keepalives that ask for a reply are
 * answered as they arrive, so {@code wal_sender_timeout} is not at risk either. What is spaced out
 * is only the unprompted status update, which one consumer streaming many idle databases would
 * otherwise send on every slot every interval; once spaced beyond half the server's
 * {@code wal_sender_timeout}, an idle stream wakes only for the server's own keepalives. PgJDBC's blocking {@code read()} is not used: in
 * 42.7.14, without a {@code socketTimeout} it answers a keepalive only when the next message
 * arrives (an idle server then drops the connection after {@code wal_sender_timeout}, and a
 * fast shutdown of PostgreSQL waits that long), and with one, the first read that times out
 * deactivates the copy (pgjdbc issue 4328). {@link #stop()} shuts the socket's input, which ends
 * the wait at once; the final status update still goes out on its output.
 *
 * <p><b>Acknowledgement.</b> After each message, and on every idle turn of the loop, the
 * position the tracker calls confirmable is set as the stream's flushed and applied LSN; when
 * it moved, a status update is forced at once (at most one every 100 ms: a forced update asks
 * the server to reply, and on a busy server each reply carries a new position to confirm, so
 * unthrottled the two would ping-pong). PgJDBC sends the same values every status interval.
 * PgJDBC's automatic flush is off: on a keepalive it moves the flushed LSN to the server's
 * position whenever the last status update covered the start of the last XLogData message.
 * That is safe only as long as a batch's Commit message starts at or after the position to
 * confirm for it, a detail of the server's walsender, and the tracker already advances to the
 * keepalive position when nothing is in flight, so the automatic flush adds nothing but risk.
 * While a batch is undelivered and the confirmable position has been reported, the flushed
 * LSN is set to {@code InvalidXLogRecPtr}, which the server reads as "no claim" and which
 * leaves the slot where it is: a walsender that is shutting down waits until the client's
 * flushed position (or, if that is invalid, its written position) reaches what it sent, so a
 * real but older flushed position would hold up a fast shutdown of PostgreSQL until every
 * batch is delivered, which can depend on AWS.
 *
 * <p><b>Failures</b>, by SQLState: connection failures, server shutdown and restart, and a slot
 * held by another process (a second instance waiting to take over) reconnect after an
 * exponential backoff with jitter; a missing slot is created again, loudly, and
 * {@link OutboxBatchSink#slotRecreated()} called (or, with {@link MissingSlot#END_STREAM}, {@code run()}
 * ends with a {@link SlotMissingException}); a missing publication, refused credentials
 * and other configuration errors end {@code run()} with a {@link ReplicationException}.
 * Decoding and mapping errors are logged and retried with the same backoff. A connection the
 * server closes (at a restart or a fast shutdown) ends the wait on the socket at once; a server
 * that vanished without closing it shows when the operating system's TCP keepalives or a
 * status update fail. Each new
 * connection starts from the slot's confirmed position, so batches handed over but not yet
 * delivered are sent again (the delivery side dedupes them) and the tracker is reset.
 *
 * <p>Logs connections, slot creation and reconnects with their SQLState; never envelopes.
 */
public final class ReplicationSource {

    private static final Logger log = LoggerFactory.getLogger(ReplicationSource.class);

    /** The least time between two forced status updates; see the class comment. */
    private static final long MIN_FORCE_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The longest wait of an idle stream (see the class comment). Longer than half of PostgreSQL's
     * default {@code wal_sender_timeout} on purpose: a walsender that has heard nothing from its
     * client for half its timeout sends a keepalive asking for a reply, which ends the wait and
     * which PgJDBC answers (without asking for a reply in turn), so an idle connection stays alive
     * on the server's schedule, one wake-up per half timeout, and an unprompted update of ours
     * would only add a wake-up of its own just before the server's. With the timeout switched off
     * the server neither pings nor drops the connection; the operating system's TCP keepalives
     * (on for every connection) still find a peer that went away.
     */
    static final Duration IDLE_WAIT_MAX = Duration.ofMinutes(2);
    /** How long closing the stream may wait for the server to end the copy. */
    private static final int CLOSE_TIMEOUT_MILLIS = 1000;
    /** A connection that streamed this long counts as healthy: the backoff starts over. */
    private static final Duration MIN_HEALTHY = Duration.ofSeconds(1);

    private final DatabaseConnector connector;
    private final ReplicationSettings settings;
    private final AckTracker tracker;
    private final OutboxBatchSink sink;
    private final ReconnectBackoff backoff;
    private final long healthyAfterNanos;
    private final MissingSlot missingSlot;

    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopRequested;
    /** By when closing the stream must be done, once stopping. */
    private volatile Deadline closeBy;
    private volatile boolean streaming;
    /** The replication connection's socket while streaming, for stop() to wake a wait on. */
    private volatile WaitableSocket activeSocket;
    /** Replication thread only: whether the last attempt found the slot in use elsewhere. */
    private boolean waitingForSlot;

    /** Guards the fields below, which let stop() interrupt a blocked hand-over and nothing else. */
    private final Object runnerLock = new Object();
    private Thread runner;
    private boolean started;
    private boolean inSinkCall;
    private boolean interruptedByStop;
    /** Runner only: an interrupt that did not come from stop(), restored when run() returns. */
    private boolean externalInterrupt;

    /** What {@link #run()} does when the slot it streamed from has gone missing. */
    public enum MissingSlot {
        /** Create it again, loudly, and go on (the outbox table holds what the new slot misses). */
        CREATE_AGAIN,
        /**
         * End {@code run()} with a {@link SlotMissingException}, creating nothing: for a database that
         * may be on its way to {@code DROP DATABASE}, which a slot created again would block.
         */
        END_STREAM
    }

    /** A source that creates a missing slot again, with a backoff drawing its jitter from a fresh random generator. */
    public ReplicationSource(DatabaseConnector connector, ReplicationSettings settings, AckTracker tracker,
            OutboxBatchSink sink) {
        this(connector, settings, tracker, sink, MissingSlot.CREATE_AGAIN);
    }

    /** As the other public constructor, with what to do when the slot goes missing while streaming. */
    public ReplicationSource(DatabaseConnector connector, ReplicationSettings settings, AckTracker tracker,
            OutboxBatchSink sink, MissingSlot missingSlot) {
        this(connector, settings, tracker, sink, RandomGenerator.getDefault(), missingSlot);
    }

    ReplicationSource(DatabaseConnector connector, ReplicationSettings settings, AckTracker tracker,
            OutboxBatchSink sink, RandomGenerator random) {
        this(connector, settings, tracker, sink, random, MissingSlot.CREATE_AGAIN);
    }

    ReplicationSource(DatabaseConnector connector, ReplicationSettings settings, AckTracker tracker,
            OutboxBatchSink sink, RandomGenerator random, MissingSlot missingSlot) {
        this.missingSlot = Objects.requireNonNull(missingSlot, "missingSlot");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.backoff = new ReconnectBackoff(settings.initialBackoff(), settings.maxBackoff(), random);
        this.healthyAfterNanos = settings.maxBackoff().compareTo(MIN_HEALTHY) > 0
                ? settings.maxBackoff().toNanos() : MIN_HEALTHY.toNanos();
    }

    /**
     * Checks that the publication exists and creates the logical slot (pgoutput) if it is
     * missing, on an ordinary connection. Call it before scanning the outbox for rows without a
     * delivery, so that every row is either found by the scan or streamed from the slot.
     *
     * @return whether the slot was created
     * @throws ReplicationException if the publication is missing (install or upgrade the
     *     credsync extension) or the slot name belongs to a slot credsync cannot use
     * @throws SQLException if the database cannot be reached or refuses
     */
    public boolean ensureSlotAndPublication() throws SQLException, ReplicationException {
        try (Connection connection = connector.connect()) {
            Optional<Lsn> created = ensure(connection, true);
            created.ifPresent(at -> log.info("created replication slot {} (pgoutput) in database {} at {}",
                    settings.slotName(), connector.databaseName(), at));
            return created.isPresent();
        }
    }

    /**
     * Streams until {@link #stop()} is called or the thread is interrupted (then returns
     * normally, the interrupt status restored if it did not come from {@code stop()}; an
     * interrupt arriving together with {@code stop()} counts as its), or until a failure an
     * operator must fix.
     *
     * @throws ReplicationException if the publication is missing, the credentials are refused,
     *     the slot cannot be used, or the like: the message says what to do
     * @throws IllegalStateException if this source already ran or is running
     */
    public void run() throws ReplicationException {
        claimRunner();
        try {
            while (!shouldStop()) {
                Duration wait;
                try {
                    streamOnce();
                    continue;
                } catch (SQLException e) {
                    wait = onSqlFailure(e);
                } catch (PgOutputDecodeException | OutboxMappingException e) {
                    wait = backoff.next();
                    log.error("cannot read the replication stream of slot {}: {}; reconnecting in {} ms",
                            settings.slotName(), e.getMessage(), wait.toMillis());
                } catch (InterruptedException e) {
                    noteInterrupt();
                    break;
                }
                try {
                    stopSignal.await(wait.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    noteInterrupt();
                }
            }
        } finally {
            releaseRunner();
        }
    }

    /**
     * Makes {@link #run()} send a final status update with what is confirmable, close the stream
     * and the connection, and return, normally within a second or so; a hand-over blocked in
     * the sink is interrupted. Does not wait for that: join the thread that runs {@code run()}.
     * Idempotent; may be called before {@code run()}, which then returns at once.
     */
    public void stop() {
        stop(Deadline.after(Duration.ofMillis(CLOSE_TIMEOUT_MILLIS)));
    }

    /**
     * As {@link #stop()}, with closing the stream bounded by {@code deadline} as well as by its
     * usual second: the caller's shutdown deadline.
     */
    public void stop(Deadline deadline) {
        closeBy = deadline;
        stopRequested = true;
        stopSignal.countDown();
        synchronized (runnerLock) {
            if (runner != null && inSinkCall && !interruptedByStop) {
                interruptedByStop = true;
                runner.interrupt();
            }
        }
        WaitableSocket socket = activeSocket;
        if (socket != null) {
            // Ends a wait for the server at once; the final status update still goes out.
            socket.wakeUp();
        }
    }

    /** Whether a replication stream is open now (for health checks and tests). */
    public boolean isStreaming() {
        return streaming;
    }

    private void streamOnce() throws SQLException, ReplicationException, InterruptedException {
        SlotCatalog.SlotState slot = prepareSlot();
        if (slot.isActive()) {
            // What START_REPLICATION would answer; asking first spares a walsender start-up.
            throw new SQLException("replication slot " + settings.slotName() + " is active for PID "
                    + slot.activePid(), "55006");
        }
        if (shouldStop()) {
            return;
        }
        Connection opened;
        WaitableSocket socket;
        try (WaitableSocket.Capture capture = WaitableSocket.capture()) {
            opened = connector.connectForReplication();
            socket = capture.socket().orElse(null);
        }
        try (Connection connection = opened) {
            if (socket == null) {
                throw new IllegalStateException("the replication connection was not opened with "
                        + WaitableSocketFactory.class.getSimpleName() + " as its socketFactory");
            }
            PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream()
                    .logical()
                    .withSlotName(settings.slotName())
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", settings.publicationName())
                    .withStatusInterval(Math.toIntExact(settings.statusInterval().toMillis()), TimeUnit.MILLISECONDS)
                    .withAutomaticFlush(false)
                    .start();
            tracker.reset(slot.confirmedFlush());
            log.info("streaming from replication slot {} in database {} (publication {}), confirmed up to {}",
                    settings.slotName(), connector.databaseName(), settings.publicationName(), slot.confirmedFlush());
            Session session = new Session(stream, socket);
            activeSocket = socket;
            streaming = true;
            waitingForSlot = false;
            try {
                session.pump();
                session.sendFinalStatus();
            } finally {
                streaming = false;
                activeSocket = null;
                session.close(connection);
            }
        }
    }

    /** The slot's state, after creating it again (loudly) if it went missing. */
    private SlotCatalog.SlotState prepareSlot() throws SQLException, ReplicationException, InterruptedException {
        Optional<Lsn> created;
        SlotCatalog.SlotState slot;
        try (Connection connection = connector.connect()) {
            created = ensure(connection, missingSlot == MissingSlot.CREATE_AGAIN);
            slot = SlotCatalog.find(connection, settings.slotName()).orElseThrow(() -> new SQLException(
                    "replication slot " + settings.slotName() + " vanished right after it was checked", "42704"));
        }
        if (created.isPresent()) {
            log.error("replication slot {} in database {} was missing and has been created again at {}: outbox rows"
                    + " committed while it was missing are not in its stream and are delivered only by the scan for"
                    + " rows without a delivery; if this was not a deliberate drop, find out who dropped it",
                    settings.slotName(), connector.databaseName(), created.get());
            callSink(sink::slotRecreated);
        }
        return slot;
    }

    /**
     * Checks the publication and creates the slot if missing (or, unless {@code createMissing},
     * throws {@link SlotMissingException}); returns where a created slot starts. An invalidated
     * slot is created again either way: nobody dropped it.
     */
    private Optional<Lsn> ensure(Connection connection, boolean createMissing)
            throws SQLException, ReplicationException {
        connection.setAutoCommit(true);
        SlotCatalog.checkPublication(connection, settings.publicationName());
        Optional<SlotCatalog.SlotState> existing = SlotCatalog.find(connection, settings.slotName());
        if (existing.isPresent() && existing.get().lost()) {
            // PostgreSQL invalidated the slot for holding more WAL than max_slot_wal_keep_size: it can
            // never stream again. The outbox is the record, so a new slot plus the scan for rows
            // without a delivery loses nothing.
            log.error("replication slot {} in database {} was invalidated (wal_status lost): it held more WAL than"
                    + " max_slot_wal_keep_size allows, most likely because no consumer ran for a long time."
                    + " Dropping it and creating it again; every outbox row without a delivery row is delivered"
                    + " from the table", settings.slotName(), connector.databaseName());
            if (!SlotCatalog.dropIfInactive(connection, settings.slotName())) {
                return Optional.empty();
            }
        } else if (existing.isPresent()) {
            return Optional.empty();
        } else if (!createMissing) {
            throw new SlotMissingException(settings.slotName());
        }
        Optional<Lsn> created = SlotCatalog.create(connection, settings.slotName());
        if (created.isEmpty()) {
            // Another instance created it first: check that it is one we can use.
            SlotCatalog.find(connection, settings.slotName());
        }
        return created;
    }

    private Duration onSqlFailure(SQLException e) throws ReplicationException {
        SqlStateClassifier.Action action = SqlStateClassifier.classify(e);
        String state = SqlStateClassifier.sqlState(e);
        if (action == SqlStateClassifier.Action.FAIL) {
            String hint = state != null && state.startsWith("28")
                    ? "the database refused the credentials of the replication connection; check the configured"
                            + " user, password or IAM authentication"
                    : "replication cannot go on until the configuration is fixed";
            throw new ReplicationException(hint + " (SQLState " + state + "): " + e.getMessage(), e);
        }
        if (stopRequested) {
            log.info("replication from slot {} ended while stopping (SQLState {}): {}",
                    settings.slotName(), state, e.getMessage());
            return Duration.ZERO;
        }
        Duration wait = backoff.next();
        switch (action) {
            case WAIT_FOR_SLOT -> {
                // A standby retries for as long as the other instance runs: say it once, not every few seconds.
                if (!waitingForSlot) {
                    log.info("replication slot {} is in use by another process (another credsync instance?): {};"
                            + " standing by and retrying every few seconds", settings.slotName(), e.getMessage());
                }
                waitingForSlot = true;
                log.debug("slot {} still in use; trying again in {} ms", settings.slotName(), wait.toMillis());
            }
            case CHECK_SLOT_AND_PUBLICATION -> log.warn("replication slot {} or publication {} does not exist"
                    + " (SQLState {}): {}; checking both and reconnecting in {} ms", settings.slotName(),
                    settings.publicationName(), state, e.getMessage(), wait.toMillis());
            case RECONNECT -> log.warn("replication connection to slot {} lost (SQLState {}): {};"
                    + " reconnecting in {} ms", settings.slotName(), state, e.getMessage(), wait.toMillis());
            default -> log.error("unexpected failure of the replication from slot {} (SQLState {}); reconnecting in {}"
                    + " ms", settings.slotName(), state, wait.toMillis(), e);
        }
        return wait;
    }

    /** A call into the sink that stop() may interrupt. */
    private interface SinkCall {
        void call() throws InterruptedException;
    }

    /** Calls the sink, unless stopping; lets stop() interrupt it while it blocks. */
    private void callSink(SinkCall call) throws InterruptedException {
        synchronized (runnerLock) {
            if (stopRequested) {
                return;
            }
            inSinkCall = true;
        }
        try {
            call.call();
        } finally {
            synchronized (runnerLock) {
                inSinkCall = false;
                if (interruptedByStop) {
                    // stop()'s interrupt may have landed just after the sink returned: it was for us.
                    Thread.interrupted();
                }
            }
        }
    }

    /** Whether to stop; takes a pending interrupt as a request to stop. */
    private boolean shouldStop() {
        if (Thread.interrupted()) {
            noteInterrupt();
        }
        return stopRequested;
    }

    /** Records an interrupt of the runner: a stop request, remembered for restoring unless stop() sent it. */
    private void noteInterrupt() {
        synchronized (runnerLock) {
            if (!interruptedByStop) {
                externalInterrupt = true;
            }
        }
        stopRequested = true;
        stopSignal.countDown();
    }

    private void claimRunner() {
        synchronized (runnerLock) {
            if (started) {
                throw new IllegalStateException("this ReplicationSource already ran; create a new one");
            }
            started = true;
            runner = Thread.currentThread();
        }
    }

    private void releaseRunner() {
        synchronized (runnerLock) {
            runner = null;
        }
        if (externalInterrupt) {
            Thread.currentThread().interrupt();
        }
    }

    /** The wait after an idle one of {@code last}: twice as long, within the status interval and {@link #IDLE_WAIT_MAX}. */
    static Duration nextIdleWait(Duration last, Duration statusInterval) {
        Duration doubled = last.multipliedBy(2);
        Duration max = statusInterval.compareTo(IDLE_WAIT_MAX) > 0 ? statusInterval : IDLE_WAIT_MAX;
        return doubled.compareTo(max) > 0 ? max : doubled;
    }

    /** One replication connection's state: its stream, decoder and assembler, and what was reported. */
    private final class Session {
        private final PGReplicationStream stream;
        private final WaitableSocket socket;
        private final PgOutputDecoder decoder = new PgOutputDecoder();
        private final BatchAssembler assembler = new BatchAssembler();
        private final long connectedAt = System.nanoTime();
        /** The last position sent in a forced status update. */
        private Lsn reported = Lsn.INVALID;
        private long lastForcedAt = System.nanoTime() - MIN_FORCE_SPACING_NANOS;
        /** A confirmation held back by the spacing of forced updates, to be sent when it allows. */
        private boolean forcePending;
        private boolean healthy;
        /** How long the next wait with nothing to confirm lasts; grows while the stream is idle. */
        private Duration idleWait = settings.statusInterval();

        Session(PGReplicationStream stream, WaitableSocket socket) {
            this.stream = stream;
            this.socket = socket;
        }

        /**
         * Reads, hands over and acknowledges until asked to stop; throws on any failure. With
         * nothing to read it waits on the socket until the server sends something, or for at most
         * a status interval (so that status updates and confirmations go out), or until stop().
         */
        void pump() throws SQLException {
            while (!shouldStop()) {
                ByteBuffer message = stream.readPending();
                if (message != null) {
                    idleWait = settings.statusInterval();
                    try {
                        handle(decoder.decode(message));
                    } catch (InterruptedException e) {
                        noteInterrupt();
                        break;
                    }
                } else if (stream.isClosed()) {
                    throw new SQLException("the server ended the replication stream", "08006");
                }
                acknowledge();
                if (!healthy && System.nanoTime() - connectedAt >= healthyAfterNanos) {
                    healthy = true;
                    backoff.reset();
                }
                if (message == null && awaitServer() == WaitableSocket.Wait.CLOSED && !shouldStop()) {
                    throw new SQLException("the server closed the replication connection", "08006");
                }
            }
        }

        private WaitableSocket.Wait awaitServer() throws SQLException {
            // A confirmation the spacing held back goes out when the spacing allows, not a whole
            // status interval later: an idle slot would otherwise hold WAL for that long.
            if (forcePending) {
                return await(Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                        lastForcedAt + MIN_FORCE_SPACING_NANOS - System.nanoTime())));
            }
            if (tracker.inFlight() > 0) {
                // A delivery may finish at any moment, and only this loop confirms it.
                idleWait = settings.statusInterval();
                return await(idleWait);
            }
            // inFlight only grows on this thread (handle()), so it stays 0 until a message arrives.
            // A keepalive (WAL written anywhere in the cluster) ends the wait without restarting the
            // growth: its position is confirmed by the forced update acknowledge() sends, and no
            // later update is owed to the server until something is handed over.
            WaitableSocket.Wait result = await(idleWait);
            if (result == WaitableSocket.Wait.TIMED_OUT) {
                idleWait = nextIdleWait(idleWait, settings.statusInterval());
            }
            return result;
        }

        private WaitableSocket.Wait await(Duration wait) throws SQLException {
            try {
                return socket.await(wait);
            } catch (IOException e) {
                throw new SQLException("waiting for the server on the replication connection failed: " + e, "08006",
                        e);
            }
        }

        private void handle(PgOutputMessage message) throws InterruptedException {
            Optional<OutboxBatch> completed = assembler.accept(message);
            if (completed.isPresent()) {
                OutboxBatch batch = completed.get();
                // Registered first, so that a delivery can never precede it.
                tracker.handedOver(batch);
                callSink(() -> sink.accept(batch));
            }
        }

        /** Tells the server what is done; see the class comment. */
        private void acknowledge() throws SQLException {
            Lsn confirmable = tracker.confirmable(Lsn.fromPg(stream.getLastReceiveLSN()));
            if (confirmable.isAfter(reported)) {
                setFlushed(confirmable.toPg());
                long now = System.nanoTime();
                forcePending = now - lastForcedAt < MIN_FORCE_SPACING_NANOS;
                if (!forcePending) {
                    stream.forceUpdateStatus();
                    reported = confirmable;
                    lastForcedAt = now;
                }
            } else {
                forcePending = false;
                setFlushed(tracker.inFlight() > 0 ? LogSequenceNumber.INVALID_LSN : confirmable.toPg());
            }
        }

        private void setFlushed(LogSequenceNumber lsn) {
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
        }

        void sendFinalStatus() throws SQLException {
            Lsn confirmable = tracker.confirmable(Lsn.fromPg(stream.getLastReceiveLSN()));
            setFlushed(confirmable.toPg());
            stream.forceUpdateStatus();
            log.info("stopped streaming from replication slot {}: confirmed up to {}, {} batch(es) not delivered",
                    settings.slotName(), confirmable, tracker.inFlight());
        }

        /** Ends the copy, waiting at most about a second for the server; the caller closes the connection. */
        void close(Connection connection) {
            try {
                Deadline deadline = closeBy;
                long timeout = deadline == null ? CLOSE_TIMEOUT_MILLIS
                        : Math.max(1, Math.min(CLOSE_TIMEOUT_MILLIS, deadline.remainingMillis()));
                connection.setNetworkTimeout(Runnable::run, Math.toIntExact(timeout));
                if (!stream.isClosed()) {
                    stream.close();
                }
            } catch (SQLException e) {
                log.debug("closing the replication stream of slot {} (SQLState {}): {}", settings.slotName(),
                        e.getSQLState(), e.getMessage());
            }
        }
    }
}
