/**
 * Writes a role's new password into its AWS Secrets Manager secret (see docs/design.md, "The
 * consumer", the secret).
 *
 * <p>One class per step: {@link io.credsync.secrets.SecretNamer} turns a database and a role into
 * a secret name; {@link io.credsync.secrets.SecretValue} builds the RDS-style JSON, merged into the
 * secret's current value; {@link io.credsync.secrets.SecretsManagerSecretWriter} describes, reads,
 * creates or puts, with the event id as {@code ClientRequestToken}, and refuses a secret with a
 * {@link io.credsync.secrets.SecretConflict} (another writer, or scheduled for deletion); {@link
 * io.credsync.aws.AwsClients} builds the client it uses.
 *
 * <p>Rules that hold throughout the package:
 * <ul>
 *   <li>Every failure is a {@link io.credsync.secrets.SecretWriteException} with an error code
 *       and a transient flag, decided by AWS error code, HTTP status and exception type, never by
 *       message text.
 *   <li>No message, {@code toString()} or log line contains a secret value; the password lives in
 *       a {@link io.credsync.crypto.Password} and is revealed only into the request.
 *   <li>Arguments are non-null unless a method says otherwise; passing null is a programming error
 *       and throws {@link java.lang.NullPointerException}.
 * </ul>
 *
 * <p>May use: the AWS SDK's Secrets Manager client, {@code aws} (error codes), {@code config},
 * {@code json}, {@code outbox} and {@code crypto}'s {@link io.credsync.crypto.Password}.
 */
package io.credsync.secrets;
