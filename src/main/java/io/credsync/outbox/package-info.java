/**
 * The outbox event as the consumer sees it: one row of {@code credsync.outbox}
 * ({@link io.credsync.outbox.OutboxEvent}) and its id ({@link io.credsync.outbox.EventId}),
 * immutable values shared by replication, delivery and secrets.
 *
 * <p>May use the JDK only; every package below {@code cli} may use it.
 */
package io.credsync.outbox;
