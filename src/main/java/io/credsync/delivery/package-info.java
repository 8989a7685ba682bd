/**
 * Delivery: turns batches of outbox events into secret writes and {@code credsync.delivery} rows,
 * at least once and per role in order ({@link io.credsync.delivery.DeliveryWorker} takes batches
 * from replication, {@link io.credsync.delivery.DeliveryPipeline} opens, verifies, writes and
 * records them, {@link io.credsync.delivery.DeliveryStore} is its SQL), and publishes only a
 * password that logs in ({@link io.credsync.verify.LoginVerifier}).
 *
 * <p>May use: {@code outbox}, {@code replication} (batches and their LSNs), {@code crypto},
 * {@code secrets}, {@code verify}, {@code config}, {@code connection} and {@code metrics}' {@link io.credsync.metrics.DeliveryMetrics}.
 * Arguments are non-null unless a method says otherwise; no message or log line holds a password.
 */
package io.credsync.delivery;
