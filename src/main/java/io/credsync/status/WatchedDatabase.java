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
 * have changed (see the poller for when).
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
    /** The database's write counter when the backlog was read; null if unknown. */
    private Long backlogWrites;
    /** The write counter the previous poll saw, and when it was last seen to change. */
    private Long lastWrites;
    private Instant writesChangedAt;

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
     * when it may have changed (see {@link #backlogDue}).
     *
     * @param walMoved whether the cluster's WAL moved since the previous poll
     * @param refresh the longest a backlog is trusted while nothing moves
     * @param active how long after its write counter last changed a database counts as active
     * @return whether the figures are current
     */
    boolean refresh(SlotQuery.ClusterSlots slots, boolean walMoved, Duration refresh, Duration active, Clock clock) {
        Instant now = clock.instant();
        String position = slots.walInsertPosition();
        Long writes = slots.databaseWrites().get(slotName);
        if (writes != null && !writes.equals(lastWrites)) {
            writesChangedAt = now;
        }
        lastWrites = writes;
        if (backlogDue(position, writes, walMoved, refresh, active, now)) {
            try {
                backlog = connection.use(c -> BacklogQuery.read(c, clock));
                backlogPosition = position;
                backlogWrites = writes;
                // A commit whose WAL was written before the position was read may become visible
                // only after the backlog's snapshot: read once more after the WAL stood still.
                backlogSettled = !walMoved;
            } catch (SQLException | RuntimeException e) {
                answering = false;
                backlogSettled = false;
                backlogWrites = null;
                return false;
            }
        }
        SlotFigures slot = slots.slots().get(slotName);
        latest.set(DatabaseSnapshot.of(slot, backlog, now));
        answering = true;
        return true;
    }

    /**
     * Whether the backlog may have changed since it was read. With the database's write counter:
     * when the counter moved (every row the backlog depends on is inserted, updated or deleted in
     * this database, and a backend reports its counts after its commit, so what a counter shows
     * is visible), or while the database is active and the cluster's WAL moved (a session that
     * reported its counts less than a second before reports its next ones up to 10 s late). Without
     * it: whenever the cluster's WAL moved, and once more after. Either way when never read, after
     * a failed read, and at least every {@code refresh}.
     */
    private boolean backlogDue(String position, Long writes, boolean walMoved, Duration refresh, Duration active,
            Instant now) {
        if (backlog == null || Duration.between(backlog.readAt(), now).compareTo(refresh) >= 0) {
            return true;
        }
        if (writes != null && backlogWrites != null) {
            return !writes.equals(backlogWrites)
                    || walMoved && Duration.between(writesChangedAt, now).compareTo(active) < 0;
        }
        return walMoved || !backlogSettled || !Objects.equals(position, backlogPosition);
    }
}
