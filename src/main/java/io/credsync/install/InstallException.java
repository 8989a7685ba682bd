package io.credsync.install;

/**
 * A reason credsync cannot do what was asked, with a message for the operator that says what to
 * do; the command prints it and exits 1. Never holds a password.
 */
public final class InstallException extends Exception {
    private static final long serialVersionUID = 1L;

    public InstallException(String message) {
        super(message);
    }

    public InstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
