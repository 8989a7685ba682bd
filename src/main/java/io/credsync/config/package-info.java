/**
 * credsync's configuration: immutable records, one per section of {@code config/credsync.yaml},
 * loaded and checked once at start-up by {@link io.credsync.config.CredsyncConfig#load}; and
 * {@link io.credsync.connection.PgConnector}, which turns the {@code database} section into PgJDBC
 * connections.
 *
 * <p>Rules that hold throughout the package:
 * <ul>
 *   <li>A wrong configuration stops start-up with a {@link io.credsync.config.ConfigException}
 *       that names each bad key; nothing is patched up or guessed, and an unknown key (in the
 *       file, or as a {@code CREDSYNC_<SECTION>_*} variable) is an error, so that a typo cannot
 *       silently mean "use the default".
 *   <li>Every key can be set by {@code CREDSYNC_<SECTION>_<KEY>}, which wins over the file.
 *   <li>No message or {@code toString()} contains the database password; it lives in a
 *       {@link io.credsync.crypto.Password}.
 *   <li>Record components are never null; what is optional is an {@code Optional}. Arguments are
 *       non-null unless a method says otherwise.
 * </ul>
 *
 * <p>May use: PgJDBC, the AWS SDK (clients, RDS IAM tokens), Jackson (its mappers from
 * {@code io.credsync.json}) and {@code crypto}'s {@link io.credsync.crypto.Password}; no other
 * credsync package. The use of {@code crypto}, which uses
 * {@link io.credsync.aws.AwsErrorCodes} back, is a cycle that the move of connecting code into
 * a package of its own (issue 13) removes.
 */
package io.credsync.config;
