package io.credsync.connection;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on a connection done all or nothing. Stateless: thread-safe (a connection is not). */
public final class Transactions {

    /** Statements to run in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction on {@code connection} and commits it; on an exception
     * rolls back and rethrows it. The connection's auto-commit is as before afterwards; when the
     * connection broke, a failing rollback or reset is added to the exception as suppressed, so
     * that the caller sees the failure that counts (its SQLState says the connection is gone).
     *
     * @return what {@code work} returned
     */
    public static <T> T inOne(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        T result;
        try {
            result = work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            try {
                connection.setAutoCommit(autoCommit);
            } catch (SQLException resetFailure) {
                e.addSuppressed(resetFailure);
            }
            throw e;
        }
        connection.setAutoCommit(autoCommit);
        return result;
    }
}
