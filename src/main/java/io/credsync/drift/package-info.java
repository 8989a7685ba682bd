/**
 * Drift detection: on an interval, the consumer checks that every managed role's secret still
 * logs in to the database, records the verdict in {@code credsync.drift_check} (for
 * {@code status} and {@code doctor}), exports it as a metric per role, and, if configured,
 * rotates a drifted role with {@code credsync.rotate}.
 *
 * <p>Drift is what delivery cannot see: a password changed without the hook (a superuser turned
 * it off, a restore, a tool writing {@code pg_authid}), or a secret overwritten or deleted by
 * something else. A role with changes still on their way is not checked, nor is one that
 * changed during its check: that is lag, not drift.
 *
 * <p>Arguments are non-null unless a method says otherwise.
 *
 * <p>May use: {@code config}, {@code connection}, {@code crypto}'s password, {@code secrets} (to
 * read a secret by the writer's rules), {@code verify}'s
 * {@link io.credsync.verify.LoginVerifier} (the same login check as delivery's) and
 * {@code metrics}' drift gauges; not {@code delivery}.
 */
package io.credsync.drift;
