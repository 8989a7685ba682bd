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
     * rolls back (a failing rollback is added to it as suppressed) and rethrows. The connection's
     * auto-commit is as before afterwards.
     *
     * @return what {@code work} returned
     */
    public static <T> T inOne(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
