/**
 * Key management, the logic behind the {@code keys add} and {@code keys list} commands:
 * {@link io.credsync.keys.KeyRegistration} checks a KMS key with {@code kms:GetPublicKey}
 * against {@link io.credsync.keys.KeyRequirements} and registers its public half with
 * {@code credsync.add_key}; {@link io.credsync.keys.KeyRegistry} reads the registered keys back.
 * {@link io.credsync.keys.AwsErrors} turns an AWS failure into an operator's message by error
 * code, for keys and for {@code doctor}.
 *
 * <p>Rules that hold throughout the package: AWS errors are told apart by error code, never by
 * message text; what is printed never holds key material other than public keys; arguments are
 * non-null unless a method says otherwise.
 *
 * <p>May use: PgJDBC, the AWS SDK's KMS client, {@code aws} (error codes), {@code connection}
 * (transactions) and {@code install} ({@link io.credsync.install.InstallException}); nothing of
 * the running consumer, nor {@code doctor}, which uses this package.
 */
package io.credsync.keys;
