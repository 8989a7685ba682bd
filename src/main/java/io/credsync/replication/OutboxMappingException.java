package io.credsync.replication;

/**
 * A row of {@code credsync.outbox} from the replication stream that cannot become an
 * {@link io.credsync.outbox.OutboxEvent}: a column missing from the published table, a null in
 * a required column, a value of the wrong form, or an Insert whose Relation never arrived.
 *
 * <p>The message names the column; it never quotes an envelope. Unchecked, like
 * {@link PgOutputDecodeException}: it means the schema and this consumer disagree.
 */
public final class OutboxMappingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the column; never {@code null} */
    public OutboxMappingException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the column; never {@code null}
     * @param cause the parse failure
     */
    public OutboxMappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
