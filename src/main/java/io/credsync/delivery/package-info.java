/**
 * Delivery: turns batches of outbox events into secret writes and {@code credsync.delivery} rows,
 * at least once and per role in order ({@link io.credsync.delivery.DeliveryWorker} takes batches
 * from replication, {@link io.credsync.delivery.DeliveryPipeline} opens, verifies, writes and
 * records them, {@link io.credsync.delivery.DeliveryStore} is its SQL), and publishes only a
 * password that logs in ({@link io.credsync.verify.LoginVerifier}).
 *
 * <p>May use: {@code outbox}, {@code replication} (batches and their LSNs), {@code crypto},
 * {@code secrets}, {@code verify}, {@code config} and {@code connection}. What it reports goes
 * through its own port, {@link io.credsync.delivery.DeliveryMetrics}, which {@code metrics}
 * implements; delivery does not use {@code metrics}.
 * Arguments are non-null unless a method says otherwise; no message or log line holds a password.
 */
package io.credsync.delivery;
