/**
 * credsync's root: what belongs to no single layer, today only
 * {@link io.credsync.CredsyncVersion}.
 *
 * <p>May use the JDK only; every package may use it.
 */
package io.credsync;
