package io.credsync.delivery;

import io.credsync.verify.LoginVerifier;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes one role's deliveries serial across the pipelines of several databases: a password
 * change can be made from a session on any database, and each database's outbox has its
 * pipeline, so without this two of them could deliver changes of one role at once.
 *
 * <p>Why serial is enough for the newest password to win: a pipeline publishes only a password
 * that logs in ({@link LoginVerifier}), and holds the role's lock from that login to the write.
 * An older change delivered after a newer one was written no longer logs in; one delivered
 * before it is overwritten by it. So the secret ends with the password that committed last,
 * whatever order the databases' streams deliver in.
 *
 * <p>Striped: a fixed number of locks, a role hashed to one, so memory stays bounded however
 * many roles there are; two roles sharing a stripe merely wait for each other. A holder never
 * takes a second stripe, so there is no deadlock. Thread-safe.
 */
public final class RoleLocks {

    private static final int STRIPES = 64;

    private final ReentrantLock[] stripes;
    /** Per role, the newest change written since start, by capture time: only to name it. */
    private final Map<String, Synced> newestSynced = new ConcurrentHashMap<>();

    private record Synced(Instant capturedAt, String description) {
    }

    private RoleLocks(int count) {
        stripes = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Locks to share among every pipeline of one consumer. */
    public static RoleLocks shared() {
        return new RoleLocks(STRIPES);
    }

    /** Notes that a change of {@code role} captured at {@code capturedAt} was written to its secret. */
    void noteSynced(String role, Instant capturedAt, String description) {
        newestSynced.merge(role, new Synced(capturedAt, description),
                (old, now) -> now.capturedAt().isAfter(old.capturedAt()) ? now : old);
    }

    /**
     * A change of {@code role} captured after {@code capturedAt} and written since start, from any
     * database, if there is one: why an older change's password no longer logs in, so that it is
     * superseded rather than rejected. Capture time is not commit order; this only names a reason,
     * it never decides what is published.
     */
    Optional<String> syncedAfter(String role, Instant capturedAt) {
        Synced synced = newestSynced.get(role);
        return synced != null && synced.capturedAt().isAfter(capturedAt) ? Optional.of(synced.description())
                : Optional.empty();
    }

    /** The lock of {@code role}; callers lock it interruptibly and unlock it in a finally. */
    ReentrantLock of(String role) {
        return stripes[Math.floorMod(role.hashCode(), stripes.length)];
    }
}
