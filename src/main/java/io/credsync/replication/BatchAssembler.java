package io.credsync.replication;

import io.credsync.outbox.OutboxEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns the decoded messages of one replication connection into {@link OutboxBatch}es: collects
 * the outbox rows inserted between a Begin and its Commit, and at the Commit yields them as one
 * batch, or nothing if the transaction wrote no outbox row. pgoutput sends a transaction only
 * once it has committed, so a rolled-back change never gets here.
 *
 * <p>Only protocol version 1 is requested, and {@link PgOutputDecoder} already rejects the
 * streaming and two-phase messages of later versions. Origin, Type, Update, Delete, Truncate
 * and logical-decoding messages are ignored: nothing the outbox needs.
 *
 * <p>Pure and <b>not thread-safe</b>: one assembler per connection, fed every message in order.
 */
final class BatchAssembler {

    private final OutboxRowMapper mapper = new OutboxRowMapper();
    /** The outbox rows of the open transaction; null between transactions. */
    private List<OutboxEvent> open;

    /**
     * Takes the next message of the stream.
     *
     * @return the batch a Commit completes, if its transaction wrote outbox rows; else empty
     * @throws PgOutputDecodeException if the message is out of place (a Begin inside a
     *     transaction, an Insert or Commit outside one)
     * @throws OutboxMappingException if an outbox row cannot become an event
     */
    Optional<OutboxBatch> accept(PgOutputMessage message) {
        Objects.requireNonNull(message, "message");
        switch (message.type()) {
            case BEGIN -> {
                if (open != null) {
                    throw new PgOutputDecodeException("Begin message inside an open transaction");
                }
                open = new ArrayList<>();
            }
            case RELATION -> mapper.relation((PgOutputMessage.Relation) message);
            case INSERT -> {
                if (open == null) {
                    throw new PgOutputDecodeException("Insert message outside a transaction");
                }
                mapper.map((PgOutputMessage.Insert) message).ifPresent(open::add);
            }
            case COMMIT -> {
                if (open == null) {
                    throw new PgOutputDecodeException("Commit message outside a transaction");
                }
                PgOutputMessage.Commit commit = (PgOutputMessage.Commit) message;
                List<OutboxEvent> events = open;
                open = null;
                if (!events.isEmpty()) {
                    return Optional.of(new OutboxBatch(events, commit.endLsn(), commit.commitTime()));
                }
            }
            default -> {
                // Origin, Type, Update, Delete, Truncate, Message: nothing the outbox needs.
            }
        }
        return Optional.empty();
    }

    /** Whether a Begin arrived whose Commit has not. */
    boolean inTransaction() {
        return open != null;
    }
}
