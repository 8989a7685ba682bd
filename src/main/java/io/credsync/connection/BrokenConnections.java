package io.credsync.connection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one rule for whether a connection that failed can be used again, or must be dropped and
 * replaced: by the failure's SQLState (never its message text, which the server translates),
 * and by PgJDBC's own closed state, which it enters after an I/O error whatever the SQLState.
 *
 * <p>Broken: SQLState class 08 (connection exception: refused, reset, protocol violation,
 * PgJDBC's "I/O error" 08006), and the server ending the session: 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now, 57P05 idle_session_timeout. Not broken: everything
 * else (a statement's error, a lock timeout, a cancel) leaves the session usable. 57P04
 * (database_dropped) also ends the session, but means a configuration to fix; callers that
 * reconnect must not treat it as a transient loss, so it is not in the rule.
 *
 * <p>Stateless and thread-safe. The connection pool, the delivery store, the
 * replication loop's classifier, the gauges and {@code replay} all decide by it.
 */
public final class BrokenConnections {

    private BrokenConnections() {
    }

    /**
     * Whether {@code connection}, on which {@code failure} happened, must be replaced.
     *
     * @param failure what the connection threw; not null
     * @param connection the connection it came from, asked whether PgJDBC closed it; null when
     *     there is none (opening it failed), then the SQLState alone decides
     */
    public static boolean isBroken(SQLException failure, Connection connection) {
        if (isBroken(failure)) {
            return true;
        }
        if (connection == null) {
            return false;
        }
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            // A connection that cannot even say whether it is closed is no use either.
            return true;
        }
    }

    /** Whether {@code failure}'s first SQLState (see {@link #sqlState}) says the session is gone. */
    public static boolean isBroken(SQLException failure) {
        return isBrokenState(sqlState(failure));
    }

    /** Whether {@code sqlState} (null allowed: not broken by state) says the session is gone. */
    public static boolean isBrokenState(String sqlState) {
        if (sqlState == null) {
            return false;
        }
        return sqlState.startsWith("08") || switch (sqlState) {
            case "57P01", "57P02", "57P03", "57P05" -> true;
            default -> false;
        };
    }

    /**
     * The first non-empty SQLState in {@code e}'s causes and chained exceptions, else null: a pool
     * or a wrapper may report the driver's failure as its cause.
     */
    public static String sqlState(SQLException e) {
        Throwable current = e;
        for (int depth = 0; current != null && depth < 16; depth++) {
            if (current instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && !state.isEmpty()) {
                    return state;
                }
                if (sql.getNextException() != null) {
                    current = sql.getNextException();
                    continue;
                }
            }
            current = current.getCause();
        }
        return null;
    }
}
