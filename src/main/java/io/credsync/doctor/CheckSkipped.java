package io.credsync.doctor;

/**
 * Thrown by {@link DoctorContext} when a check needs something that is not there (no database
 * connection, credsync not installed, no active key): the check is reported as skipped with this
 * message, because the check that is about that thing already reports it as a failure.
 */
public final class CheckSkipped extends Exception {
    private static final long serialVersionUID = 1L;

    public CheckSkipped(String why) {
        super(why);
    }
}
