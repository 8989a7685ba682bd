/**
 * How credsync logs: one JSON object per line ({@link io.credsync.logging.JsonLineEncoder}) when
 * stderr goes to a pipe or a file, as under ECS or systemd, and readable lines when a person
 * watches a terminal ({@link io.credsync.logging.LogFormat} decides, {@code logback.xml} wires it).
 *
 * <p>Nothing credsync logs holds a password, a payload or an envelope; this package adds no
 * field that could: the event's own message, its MDC ({@code event_id}, {@code role}) and the
 * class and message of an exception.
 *
 * <p>May use: logback, SLF4J and Jackson's streaming generator; no other credsync package, so
 * that any of them can log.
 */
package io.credsync.logging;
