package io.credsync.connection;

import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import org.postgresql.util.PSQLException;

/**
 * Turns a failed statement or login into one line an operator can act on: what the server said
 * and, chosen by SQLState (never by message text), what to do about it. Stateless and
 * thread-safe.
 *
 * <p>The server's own message is kept because it names the object (the table, the role, the
 * setting); nothing credsync sends in these statements is secret.
 */
public final class SqlErrors {

    private static final String NOT_INSTALLED = "credsync is not installed in this database, or is an older"
            + " version: run credsync install";

    /** By SQLState, then by its class (the first two characters). */
    private static final Map<String, String> ADVICE = Map.ofEntries(
            Map.entry("28P01", "the password of database.user is wrong: check the file or variable named by"
                    + " database.password_file or database.password_env"),
            Map.entry("28000", "the server refused this login: check pg_hba.conf (or the security group and"
                    + " parameter group on RDS) and that the role has LOGIN"),
            Map.entry("3D000", "database.name names a database that does not exist"),
            Map.entry("42501", "the login lacks a privilege: install and keys add need a superuser (rds_superuser"
                    + " on RDS and Aurora); doctor, status and run need what install --consumer-role grants"),
            Map.entry("3F000", NOT_INSTALLED),
            Map.entry("42P01", NOT_INSTALLED),
            Map.entry("42883", NOT_INSTALLED),
            Map.entry("58P01", "a file the server needs is missing: for the native install, run"
                    + " make -C sql/native install on the database host"),
            Map.entry("53300", "the server has no free connection slots: retry later, or raise max_connections"),
            Map.entry("57P03", "the server is starting up or shutting down: retry in a moment"),
            Map.entry("55000", "the server is not set up for this yet: run credsync doctor to see what is missing"),
            Map.entry("23505", "this conflicts with what is registered already"),
            Map.entry("40P01", "a deadlock with another session: run it again"),
            Map.entry("40001", "a conflict with another session: run it again"),
            Map.entry("08", "cannot reach PostgreSQL: check database.host and database.port, and that the network"
                    + " (security groups, firewalls) lets this host connect"),
            Map.entry("53", "the server is out of a resource: see its log"),
            Map.entry("57", "the server is shutting down or cancelled the statement: retry"));

    private SqlErrors() {
    }

    /**
     * One line: {@code <server message> (SQLState X)}, then what to do: the server's hint when it
     * gave one (credsync's own functions give hints that say what to do), else credsync's advice.
     */
    public static String explain(SQLException e) {
        String advice = adviceFor(e);
        return problem(e) + (advice.isEmpty() ? "" : ": " + advice);
    }

    /** What failed: {@code <server message> (SQLState X)}. */
    public static String problem(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
        return message + " (SQLState " + e.getSQLState() + ")";
    }

    /** What to do: the server's hint, else credsync's advice for the SQLState; empty if neither. */
    public static String adviceFor(SQLException e) {
        if (e instanceof PSQLException && ((PSQLException) e).getServerErrorMessage() != null) {
            String hint = ((PSQLException) e).getServerErrorMessage().getHint();
            if (hint != null && !hint.isBlank()) {
                return hint;
            }
        }
        return advice(e.getSQLState()).orElse("");
    }

    /** What to do about {@code sqlState}, if credsync knows. */
    public static Optional<String> advice(String sqlState) {
        if (sqlState == null) {
            return Optional.empty();
        }
        String exact = ADVICE.get(sqlState);
        if (exact != null) {
            return Optional.of(exact);
        }
        return sqlState.length() >= 2 ? Optional.ofNullable(ADVICE.get(sqlState.substring(0, 2))) : Optional.empty();
    }

    /** PgJDBC appends the server's detail and hint on further lines; the first line is the error. */
    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}
