package io.credsync.service;

import java.sql.SQLException;

/**
 * The database stayed unreachable (or took no connections) for all of
 * {@code database.startup_timeout} while the consumer started; the message says what was
 * awaited and which settings to check. Never holds a password.
 */
public final class DatabaseUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    DatabaseUnavailableException(String message, SQLException lastFailure) {
        super(message, lastFailure);
    }
}
