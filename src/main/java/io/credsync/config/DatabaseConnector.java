package io.credsync.config;

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

    /** The database's name, as the secret's {@code dbname}. */
    String databaseName();
}
