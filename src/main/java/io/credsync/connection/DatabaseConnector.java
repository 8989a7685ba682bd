package io.credsync.connection;

import io.credsync.crypto.Password;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens connections to the database credsync serves, with whatever authentication the
 * configuration names (a password, or an RDS IAM token made fresh for each connection).
 *
 * <p>Implementations are thread-safe. Callers own and close what they get.
 */
public interface DatabaseConnector {

    /** An ordinary connection, for the outbox and delivery tables. */
    Connection connect() throws SQLException;

    /** A connection in logical replication mode ({@code replication=database}), for the slot. */
    Connection connectForReplication() throws SQLException;

    /**
     * An ordinary connection as another role, with its password and the server's normal
     * password authentication: how credsync checks that a password logs in before publishing
     * it. No retries; the caller classifies the failure by SQLState.
     *
     * @param role the role to log in as; not null
     * @param password its password; not null
     */
    Connection connectAs(String role, Password password) throws SQLException;

    /** The database's name, as the secret's {@code dbname}. */
    String databaseName();
}
