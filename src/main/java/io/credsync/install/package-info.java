/**
 * Setting credsync up: the logic behind the {@code install} command, kept out
 * of the command classes so that it can be tested without a command line, and the facts about a
 * server that install and {@code doctor} both need ({@link io.credsync.install.ServerFacts},
 * {@link io.credsync.install.ClusterDatabases}).
 *
 * <ul>
 *   <li>{@link io.credsync.install.Installer} installs or upgrades the database side, as a native
 *       extension or through pg_tle, from the SQL the jar carries ({@link
 *       io.credsync.install.SchemaScript}), and grants a consumer role what it needs
 *       ({@link io.credsync.install.ConsumerGrants}).
 * </ul>
 *
 * <p>Rules that hold throughout the package: SQL errors are told apart by SQLState and AWS
 * errors by error code, never by message text; what is printed never holds a password or key
 * material other than public keys; arguments are non-null unless a method says otherwise, and
 * what may be missing is an {@code Optional}.
 *
 * <p>May use: PgJDBC and {@code config}; nothing
 * of the running consumer ({@code replication}, {@code delivery}, {@code service}), nor
 * {@code doctor} and {@code keys}, which use this package.
 */
package io.credsync.install;
