/**
 * Releasing a covered database before {@code DROP DATABASE}, which a logical slot prevents: the
 * release is recorded in the released database (capture refuses managed changes there from then
 * on) and in the home database (the consumer delivers what the released outbox holds, stops
 * streaming it, drops its slot and never streams it again). {@code credsync release-database}
 * records it; the consumer and the command carry it out.
 *
 * <p>May use PgJDBC and {@code install}'s {@code ClusterDatabases} (slot names); used by
 * {@code cli} and {@code service}.
 */
package io.credsync.release;
