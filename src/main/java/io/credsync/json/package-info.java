/**
 * The Jackson mappers credsync reads and writes JSON (and its YAML configuration) with, one named
 * configuration per kind of document, so that readers and writers of the same document agree.
 *
 * <p>May use Jackson only; every other package may use it.
 */
package io.credsync.json;
