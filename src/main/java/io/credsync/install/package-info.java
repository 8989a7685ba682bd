/**
 * Setting credsync up and checking that it is set up right: the logic behind the
 * {@code install}, {@code keys} and {@code doctor} commands, kept out of the command classes so
 * that it can be tested without a command line.
 *
 * <ul>
 *   <li>{@link io.credsync.install.Installer} installs or upgrades the database side, as a native
 *       extension or through pg_tle, from the SQL the jar carries ({@link
 *       io.credsync.install.SchemaScript}), and grants a consumer role what it needs;
 *   <li>{@link io.credsync.install.KeyRegistration} checks a KMS key with
 *       {@code kms:GetPublicKey} and registers its public half with {@code credsync.add_key};
 *   <li>{@link io.credsync.install.Doctor} runs {@link io.credsync.install.Check}s, one line
 *       each, from {@link io.credsync.install.DoctorChecks#standard()}.
 * </ul>
 *
 * <p>Rules that hold throughout the package: SQL errors are told apart by SQLState and AWS
 * errors by error code, never by message text; what is printed never holds a password or key
 * material other than public keys; arguments are non-null unless a method says otherwise, and
 * what may be missing is an {@code Optional}.
 *
 * <p>May use: PgJDBC, the AWS SDK's KMS and Secrets Manager clients, {@code config},
 * {@code crypto} and {@code secrets} (to name and check secrets as the consumer would); nothing
 * of the running consumer ({@code replication}, {@code delivery}, {@code service}).
 */
package io.credsync.install;
