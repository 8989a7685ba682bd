/**
 * What the database says about credsync's state: each slot (active, retained WAL, lag) and each
 * outbox's backlog (pending and failed events), read by {@code credsync status} once
 * ({@link io.credsync.status.DatabaseStatus}) and by the consumer every few seconds for all its
 * databases at once ({@link io.credsync.status.ClusterStatusPoller}), so that the command and the
 * metrics never disagree.
 *
 * <p>May use PgJDBC, {@code connection} (its {@code DatabaseConnector}) and {@code lifecycle}.
 * Used by {@code cli}, {@code metrics} (which turns {@link io.credsync.status.DatabaseSnapshot}s
 * into meters) and {@code service}; it uses none of them.
 */
package io.credsync.status;
