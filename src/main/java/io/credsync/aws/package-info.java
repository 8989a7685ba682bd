/**
 * Talking to AWS: {@link io.credsync.aws.AwsClients} builds the SDK v2 clients with credsync's
 * timeouts and retries, and {@link io.credsync.aws.AwsErrorCodes} groups AWS error codes
 * (throttling, a failing service, the caller's credentials) so that every package classifies a
 * failure by its code, never by message text.
 *
 * <p>A leaf package apart from {@code connection}: {@code crypto} and {@code secrets} classify
 * AWS errors, and {@code connection} uses {@code crypto}'s {@code Password}, so the codes in
 * {@code connection} would tie {@code crypto} and {@code connection} into a cycle.
 *
 * <p>Stateless and thread-safe. May use: the AWS SDK; no other credsync package.
 */
package io.credsync.aws;
