package io.credsync.cli;

import io.credsync.config.DatabaseConfig;
import io.credsync.connection.PgConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The database connection of an operator command ({@code status}, {@code events},
 * {@code replay}), and what to tell the operator when the database says no.
 *
 * <p>Stateless and thread-safe. Connections are the caller's to close.
 */
final class CliDatabase {

    /**
     * A command waits this long for one statement at most: an operator at a prompt, or a
     * monitoring script, is better served by an error than by a command that hangs on a lock.
     */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    private CliDatabase() {
    }

    /**
     * Opens a connection with the configured credentials, in autocommit mode, named
     * {@code credsync <command>} in {@code pg_stat_activity} (so a DBA can tell it from the
     * consumer's), with {@link #STATEMENT_TIMEOUT}.
     *
     * @param command the command's name, e.g. {@code status}
     * @param readOnly whether every transaction on it is read-only: a safety net for commands
     *     that only look
     */
    static Connection open(DatabaseConfig database, String command, boolean readOnly) throws SQLException {
        Connection connection = PgConnector.of(database).connect();
        try (Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("SET application_name = 'credsync " + command.replace("'", "") + "'");
            statement.execute("SET statement_timeout = " + STATEMENT_TIMEOUT.toMillis());
            if (readOnly) {
                statement.execute("SET default_transaction_read_only = on");
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * One line, without a leading "error:", saying what went wrong and what to do, going by the
     * SQLState (messages are translated and change between versions; the server's own message is
     * added where it names the object). Never contains the password: PgJDBC's messages do not
     * hold it, and the configuration is only ever quoted by host, port, database and user.
     */
    static String explain(SQLException e, DatabaseConfig database) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = "database " + database.name() + " on " + database.host() + ":" + database.port();
        if (state.startsWith("28")) {
            return "cannot log in to " + where + " as " + database.user() + " (SQLState " + state + "): check"
                    + " the password (database.password_env or database.password_file) and pg_hba.conf";
        }
        if (state.startsWith("08")) {
            return "cannot reach " + where + " (SQLState " + state + "): " + serverMessage(e)
                    + "; check database.host and database.port, and that PostgreSQL runs there";
        }
        return switch (state) {
            case "3D000" -> where + " does not exist: check database.name";
            case "3F000", "42P01", "42883" -> "credsync is not installed in " + where + " (SQLState " + state
                    + ": " + serverMessage(e) + "): run `credsync install`, or point database.name at the database"
                    + " that holds the credsync schema";
            case "42501" -> "permission denied for " + database.user() + " in " + where + ": " + serverMessage(e)
                    + "; run the command as a role with the privileges `credsync install` grants";
            case "57014" -> "the database did not answer within " + STATEMENT_TIMEOUT.toSeconds()
                    + " s (statement_timeout); is something holding a lock on credsync's tables?";
            case "55000" -> serverMessage(e) + " (SQLState 55000); if the server is a standby, point"
                    + " database.host at the primary";
            default -> "the database answered SQLState " + (state.isEmpty() ? "(none)" : state) + ": "
                    + serverMessage(e);
        };
    }

    /** The server's primary message and hint, without PgJDBC's multi-line "Where:" context. */
    static String serverMessage(SQLException e) {
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            String hint = server.getHint();
            return OutputText.safe(server.getMessage()) + (hint == null ? "" : " (hint: " + OutputText.safe(hint) + ")");
        }
        return OutputText.safe(String.valueOf(e.getMessage()));
    }
}
