/**
 * The {@code doctor} command's logic: {@link io.credsync.doctor.Doctor} runs
 * {@link io.credsync.doctor.Check}s, the list of {@link io.credsync.doctor.DoctorChecks#standard()},
 * against one {@link io.credsync.doctor.DoctorContext} (the configuration, the server's facts, the
 * AWS clients), and prints one {@link io.credsync.doctor.CheckResult} line each. A check that
 * cannot run because an earlier one failed is skipped ({@link io.credsync.doctor.CheckSkipped}),
 * not failed twice.
 *
 * <p>Rules that hold throughout the package: SQL errors are told apart by SQLState and AWS
 * errors by error code, never by message text; what is printed never holds a password or key
 * material other than public keys; a check only reads, it changes nothing on the server or in
 * AWS; arguments are non-null unless a method says otherwise.
 *
 * <p>May use: PgJDBC, the AWS SDK's KMS and Secrets Manager clients, {@code aws}, {@code config},
 * {@code connection}, {@code crypto}, {@code secrets} (to name and check secrets as the consumer
 * would), {@code install} (server facts, install kinds, the expected schema) and {@code keys};
 * nothing of the running consumer ({@code replication}, {@code delivery}, {@code service}).
 */
package io.credsync.doctor;
