/**
 * Logical replication of {@code credsync.outbox}: from pgoutput bytes to batches of outbox
 * events, and acknowledgement of what was delivered.
 *
 * <p>The data flow, one class per step: {@link io.credsync.replication.ReplicationSource} owns
 * the connection and the stream on one thread; {@link io.credsync.replication.PgOutputDecoder}
 * turns each message into a {@link io.credsync.replication.PgOutputMessage} (pure);
 * {@link io.credsync.replication.OutboxRowMapper} turns outbox Inserts into
 * {@link io.credsync.outbox.OutboxEvent}s (pure); each committed transaction becomes an
 * {@link io.credsync.replication.OutboxBatch} for the
 * {@link io.credsync.replication.OutboxBatchSink}; the
 * {@link io.credsync.replication.AckTracker} decides which position the slot may be told is
 * done, once the delivery side reports batches delivered.
 *
 * <p>Arguments are non-null unless a method says otherwise. No message, log line or
 * {@code toString()} contains an envelope.
 *
 * <p>May use: PgJDBC's replication API, {@code connection} and {@code outbox}; nothing about
 * delivery, which it reaches only through {@link io.credsync.replication.OutboxBatchSink}.
 */
package io.credsync.replication;
