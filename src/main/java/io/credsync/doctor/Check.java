package io.credsync.doctor;

/**
 * One thing doctor checks. To add one: write a small class implementing this, and list it in
 * {@link DoctorChecks#standard()}.
 *
 * <p>A check reads what it needs from the {@link DoctorContext} (the connection, the server's
 * facts, the AWS clients, the configuration), changes nothing anywhere, and says what it found
 * in one line, with a one-line fix when the result is not ok. It may throw: {@link Doctor} turns
 * a {@link CheckSkipped} into a skip (something it needs is missing, and another check says
 * so), a {@link java.sql.SQLException} into a failure explained by its SQLState, and any other
 * exception into a failure naming its type.
 *
 * <p>Implementations must be stateless, so that one instance can run any number of times.
 */
public interface Check {

    /** What is checked, as printed: e.g. {@code wal_level}, {@code replication slot}. */
    String name();

    /** Checks; never returns null. */
    CheckResult run(DoctorContext context) throws Exception;
}
