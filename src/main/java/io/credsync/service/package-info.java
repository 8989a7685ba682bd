/**
 * The consumer as one service ({@link io.credsync.service.ConsumerService}): builds the AWS
 * clients, meters, replication source, delivery pipeline and drift monitor from the
 * configuration, starts them in order, and closes them in reverse.
 *
 * <p>May use every credsync package but {@code cli}, which uses it; it holds wiring, not logic.
 */
package io.credsync.service;
