package io.credsync.drift;

/** {@code drift.auto_rotate} is on, but the consumer's role may not call {@code credsync.rotate}. */
public final class AutoRotateNotPermittedException extends Exception {

    private static final long serialVersionUID = 1L;

    public AutoRotateNotPermittedException(String message) {
        super(message);
    }
}
