package io.credsync.release;

import java.time.Instant;
import java.util.Objects;

/**
 * A database released from credsync, as the home database records it.
 *
 * <p>Immutable and thread-safe; nothing is null.
 *
 * @param oid its OID, which names its slot and which a later database of the same name does not share
 * @param name its name when it was released
 * @param releasedBy the login role that released it
 * @param releasedAt when
 */
public record ReleasedDatabase(long oid, String name, String releasedBy, Instant releasedAt) {

    public ReleasedDatabase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(releasedBy, "releasedBy");
        Objects.requireNonNull(releasedAt, "releasedAt");
    }
}
