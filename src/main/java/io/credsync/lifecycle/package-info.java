/**
 * The consumer's life cycle: the one shutdown {@link io.credsync.lifecycle.Deadline} that
 * {@code credsync run} sets when asked to stop and hands to every component, so that the
 * components' waits cannot add up to more than it.
 *
 * <p>Arguments are non-null unless a method says otherwise.
 */
package io.credsync.lifecycle;
