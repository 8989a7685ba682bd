package io.credsync.replication;

import io.credsync.connection.BrokenConnections;
import java.sql.SQLException;

/**
 * Decides what the replication loop, and the consumer's start-up, do about an
 * {@link SQLException}, by its SQLState alone (message texts are translated and change between
 * versions). PgJDBC reports a refused or timed-out TCP connection and an unknown host as 08001,
 * so those are SQLStates too.
 *
 * <p>Pure and thread-safe.
 */
public final class SqlStateClassifier {

    /** What to do about a failure. */
    public enum Action {
        /**
         * The connection is broken ({@link BrokenConnections}), or the server has no room or
         * cancelled the statement (53, 57014), or a catalog race (40001, 40P01): reconnect after a wait.
         */
        RECONNECT,
        /** 55006: another process streams from the slot (a second instance): wait, then try again. */
        WAIT_FOR_SLOT,
        /** 42704: the slot, or the publication pgoutput reads, does not exist: check both, then retry. */
        CHECK_SLOT_AND_PUBLICATION,
        /** Configuration the operator must fix (28, 3D000, 42501, 55000, 57P04): end {@code run()}. */
        FAIL,
        /** Anything else: log it as an error and reconnect after a wait. */
        UNEXPECTED
    }

    private SqlStateClassifier() {
    }

    /** The action for {@code e}, going by the first SQLState in its chain of causes. */
    public static Action classify(SQLException e) {
        String state = sqlState(e);
        if (state == null) {
            return Action.UNEXPECTED;
        }
        if (BrokenConnections.isBrokenState(state) || state.startsWith("53")) {
            return Action.RECONNECT;
        }
        return switch (state) {
            case "57014" -> Action.RECONNECT; // query_canceled
            // serialization_failure, deadlock_detected: only ever a transient catalog race
            case "40001", "40P01" -> Action.RECONNECT;
            case "55006" -> Action.WAIT_FOR_SLOT;
            case "42704" -> Action.CHECK_SLOT_AND_PUBLICATION;
            // invalid_catalog_name (no such database), insufficient_privilege (no REPLICATION),
            // object_not_in_prerequisite_state (wal_level, an invalidated slot, a slot of
            // another database), database_dropped
            case "3D000", "42501", "55000", "57P04" -> Action.FAIL;
            default -> state.startsWith("28") ? Action.FAIL : Action.UNEXPECTED;
        };
    }

    /**
     * Whether {@code e} means the server cannot be reached or takes no connections for now
     * (refused, unknown host, timed out, starting up, shutting down, out of connection slots):
     * worth waiting for when the consumer starts. A server that was reached and refused the
     * connection's set-up is not: 08004 (it does not support the SSL or GSS encryption that
     * {@code database.ssl_mode} asks for) and 08P01 (it does not speak PostgreSQL's protocol, a
     * wrong port) need the configuration fixed, as do credentials (28) and a missing database
     * (3D000).
     */
    public static boolean isTemporarilyUnavailable(SQLException e) {
        String state = sqlState(e);
        if ("08004".equals(state) || "08P01".equals(state)) {
            return false;
        }
        return classify(e) == Action.RECONNECT;
    }

    /** The first non-empty SQLState in {@code e}'s causes and chained exceptions, else null. */
    public static String sqlState(SQLException e) {
        return BrokenConnections.sqlState(e);
    }
}
