/**
 * Connecting to PostgreSQL: {@link io.credsync.connection.DatabaseConnector} (the port every
 * package that needs a connection takes) and {@link io.credsync.connection.PgConnector}, which
 * turns the {@code database} section into PgJDBC connections, with a password or an RDS IAM token
 * ({@link io.credsync.connection.RdsIamTokens}); the socket factory that lets a replication
 * stream be woken; {@link io.credsync.connection.Transactions} for work that must commit or roll
 * back as one; and {@link io.credsync.connection.RetryPolicy}, the backoff shared by reconnecting
 * and retrying.
 *
 * <p>Connectors are cheap, thread-safe and hold no connection; the caller closes what it opens.
 * No message or {@code toString()} contains a password or an IAM token. Arguments are non-null
 * unless a method says otherwise.
 *
 * <p>May use: PgJDBC, the AWS SDK (RDS IAM tokens, default credentials), {@code config} and
 * {@code crypto}'s {@link io.credsync.crypto.Password}; no other credsync package.
 */
package io.credsync.connection;
