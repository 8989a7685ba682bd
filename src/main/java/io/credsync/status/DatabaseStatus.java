package io.credsync.status;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/**
 * One database's figures read once, for commands such as {@code status}: the very queries the
 * consumer polls, so that the command and the metrics never disagree. Stateless; thread-safe.
 */
public final class DatabaseStatus {

    private DatabaseStatus() {
    }

    /**
     * Reads the slot and the backlog of the database {@code connection} is connected to, one
     * statement after the other (not in one snapshot).
     *
     * @param connection an open connection to a database credsync is installed in; not closed
     * @param slotName that database's slot
     * @param clock stamps {@link DatabaseSnapshot#polledAt()}
     * @return the figures; never null
     */
    public static DatabaseSnapshot read(Connection connection, String slotName, Clock clock) throws SQLException {
        SlotFigures slot = SlotQuery.read(connection, List.of(slotName)).slots().get(slotName);
        BacklogFigures backlog = BacklogQuery.read(connection, clock);
        return DatabaseSnapshot.of(slot, backlog, backlog.readAt());
    }
}
