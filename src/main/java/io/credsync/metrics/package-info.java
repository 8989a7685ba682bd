/**
 * What credsync tells its operators: Micrometer meters for delivery and for the database
 * (slot, lag, backlog), and a small HTTP server for Prometheus and health checks.
 *
 * <p>Delivery code sees only its own port, {@link io.credsync.delivery.DeliveryMetrics}, which
 * {@link io.credsync.metrics.MicrometerDeliveryMetrics} implements; everything else here is wired
 * by the {@code run} command. Tag values are bounded codes, never message text, role
 * names or anything else that grows with the data.
 *
 * <p>May use: Micrometer (Prometheus and CloudWatch registries), the JDK's HTTP server,
 * PgJDBC through {@code connection}, {@code config}, {@code aws}, {@code json} and
 * {@code delivery}'s {@link io.credsync.delivery.DeliveryMetrics} and
 * {@link io.credsync.delivery.DeliveryStatus}; {@code delivery} does not use this package.
 */
package io.credsync.metrics;
