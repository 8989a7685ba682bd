/**
 * Whether a password logs in: {@link io.credsync.verify.LoginVerifier} tries one ordinary login
 * and says whether it worked, was refused, or could not be tried (and why, from the role's
 * {@link io.credsync.verify.RoleLogin} catalog facts). Delivery asks before it publishes a
 * password, drift asks of a password already published; both use this package, neither uses the
 * other.
 *
 * <p>{@link io.credsync.verify.Pbkdf2Provider} makes each login's SCRAM key derivation cheaper
 * (the same derivation, the same iteration count); the command line installs it at start.
 *
 * <p>Verdicts are told apart by SQLState, never message text, and no verdict or message holds the
 * password. Arguments are non-null unless a method says otherwise.
 *
 * <p>May use: the JDK's cryptography, PgJDBC, {@code connection}'s
 * {@link io.credsync.connection.DatabaseConnector} and {@code crypto}'s
 * {@link io.credsync.crypto.Password}; no other credsync package.
 */
package io.credsync.verify;
