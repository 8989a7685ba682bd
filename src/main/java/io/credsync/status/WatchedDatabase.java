package io.credsync.status;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One database the {@link ClusterStatusPoller} watches: its slot, read with every other
 * database's in one statement, and its outbox backlog, read on a connection to it only when it may
 * have changed (see the poller).
 *
 * <p>{@link #snapshot}, {@link #answering} and {@link #close} may be called from any thread; the
 * rest is the poller's thread's.
 */
public final class WatchedDatabase {

    private final String database;
    private final String slotName;
    private final PolledConnection connection;
    private final boolean ownsConnection;
    private final Runnable onClose;
    private final AtomicReference<DatabaseSnapshot> latest = new AtomicReference<>();
    private volatile boolean answering;
    private volatile boolean closed;
    // The poller's thread only.
    private BacklogFigures backlog;
    private String backlogPosition;
    private boolean backlogSettled;

    WatchedDatabase(String database, String slotName, PolledConnection connection, boolean ownsConnection,
            Runnable onClose) {
        this.database = Objects.requireNonNull(database, "database");
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        this.connection = Objects.requireNonNull(connection, "connection");
        this.ownsConnection = ownsConnection;
        this.onClose = Objects.requireNonNull(onClose, "onClose");
    }

    public String database() {
        return database;
    }

    public String slotName() {
        return slotName;
    }

    /** The figures of the last successful poll; empty until there was one. */
    public Optional<DatabaseSnapshot> snapshot() {
        return Optional.ofNullable(latest.get());
    }

    /**
     * Whether the database answers now, as the last poll found: false until a poll succeeded and
     * after a failed one (while {@link #snapshot} keeps the last values).
     */
    public boolean answering() {
        return answering;
    }

    /** Stops watching: the poller reads this database no more, and its connection closes. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.run();
        if (ownsConnection) {
            connection.close();
        }
    }

    boolean closed() {
        return closed;
    }

    /** The poller could not read the slots: nothing is known now. */
    void unanswered() {
        answering = false;
    }

    /**
     * Publishes this poll's figures: the slot as just read, and the backlog, read again first
     * when it may have changed.
     *
     * @param walMoved whether the cluster's WAL moved since the previous poll
     * @param refresh the longest a backlog is trusted while nothing moves
     * @return whether the figures are current
     */
    boolean refresh(SlotQuery.ClusterSlots slots, boolean walMoved, Duration refresh, Clock clock) {
        Instant now = clock.instant();
        String position = slots.walInsertPosition();
        boolean due = backlog == null || walMoved || !backlogSettled || !Objects.equals(position, backlogPosition)
                || Duration.between(backlog.readAt(), now).compareTo(refresh) >= 0;
        if (due) {
            try {
                backlog = connection.use(c -> BacklogQuery.read(c, clock));
                backlogPosition = position;
                // A commit whose WAL was written before the position was read may become visible
                // only after the backlog's snapshot: read once more after the WAL stood still.
                backlogSettled = !walMoved;
            } catch (SQLException | RuntimeException e) {
                answering = false;
                backlogSettled = false;
                return false;
            }
        }
        SlotFigures slot = slots.slots().get(slotName);
        latest.set(DatabaseSnapshot.of(slot, backlog, now));
        answering = true;
        return true;
    }
}
