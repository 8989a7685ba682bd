package io.credsync.install;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * One change install makes, with the line it prints before ({@code --dry-run}) and after.
 * Immutable; thread-safe as far as its statement is.
 *
 * @param planned what it would do, e.g. {@code would create extension credsync 0.1.0}
 * @param done what it did, e.g. {@code created extension credsync 0.1.0}
 * @param statement the SQL that does it
 * @param commitAlone whether it must be committed before the next action runs (see
 *     {@link #alone()})
 */
public record InstallAction(String planned, String done, Statement statement, boolean commitAlone) {

    /** SQL run on install's connection, inside its transaction. */
    @FunctionalInterface
    public interface Statement {
        void run(Connection connection) throws SQLException;
    }

    public InstallAction {
        Objects.requireNonNull(planned, "planned");
        Objects.requireNonNull(done, "done");
        Objects.requireNonNull(statement, "statement");
    }

    /** An action whose lines are {@code would <what>} and {@code <past>}. */
    static InstallAction of(String what, String past, Statement statement) {
        return new InstallAction("would " + what, past, statement, false);
    }

    /**
     * This action, committed on its own before the next one runs. For {@code CREATE EXTENSION
     * pg_tle}: its update scripts add enum values, which PostgreSQL lets no statement use in the
     * transaction that added them, and pgtle.install_extension and register_feature use them.
     */
    InstallAction alone() {
        return new InstallAction(planned + " (committed on its own)", done + " (committed on its own)", statement,
                true);
    }

    /** An action that runs one statement without parameters. */
    static InstallAction sql(String what, String past, String sql) {
        return of(what, past, connection -> {
            // Fully qualified: this record's own Statement is the functional interface above.
            try (java.sql.Statement s = connection.createStatement()) {
                s.execute(sql);
            }
        });
    }
}
