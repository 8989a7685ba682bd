package io.credsync.secrets;

/**
 * Writes a role's new password into its secret in Secrets Manager.
 *
 * <p>Implementations are thread-safe.
 */
public interface SecretWriter {

    /**
     * Creates the secret when it is missing, else merges the connection fields into its
     * current value and writes that as a new version, with the event id as the
     * {@code ClientRequestToken}: writing the same event twice makes no second version, and
     * both writes succeed with that version; while that version exists, a redelivery never moves
     * the current version back.
     *
     * @param update what to write; not null
     * @return where it was written; not null
     * @throws SecretWriteException when the write failed; {@link SecretWriteException#isTransient()}
     *     tells whether trying again later may succeed
     */
    SecretWriteResult write(SecretUpdate update) throws SecretWriteException;
}
