/**
 * Opens the envelope that the database writes into {@code credsync.outbox}: a compact JWE with
 * {@code alg} RSA-OAEP-256 (the content key unwrapped by {@code kms:Decrypt}) and {@code enc}
 * A256CBC-HS512 (see docs/design.md, "The envelope").
 *
 * <p>The data flow, one class per step: {@link io.credsync.crypto.Envelope#parse} (strict
 * parsing, no key needed) then {@link io.credsync.crypto.KeyUnwrapper} (KMS) then
 * {@link io.credsync.crypto.ContentDecryptor} (tag first, then AES-CBC) then
 * {@link io.credsync.crypto.EventPayload#parse}; {@link io.credsync.crypto.EnvelopeOpener} runs
 * them in order and checks the payload against its outbox row.
 *
 * <p>Rules that hold throughout the package:
 * <ul>
 *   <li>A failure is either an {@link io.credsync.crypto.EnvelopeException} (this envelope will
 *       never open: record the event as failed) or a
 *       {@link io.credsync.crypto.TransientCryptoException} (KMS did not answer: retry later).
 *   <li>No message, {@code toString()} or attached cause contains key material, ciphertext or
 *       plaintext; the password lives in a {@link io.credsync.crypto.Password}, which prints as
 *       {@code ****}.
 *   <li>Arguments are non-null unless a method says otherwise; passing null is a programming error
 *       and throws {@link java.lang.NullPointerException}.
 * </ul>
 *
 * <p>May use: the JDK's cryptography, the AWS SDK's KMS client, Jackson (its mappers from
 * {@code io.credsync.json}) and {@code aws} for AWS error codes; no I/O but the KMS call.
 */
package io.credsync.crypto;
