package io.credsync.cli;

import io.credsync.status.DatabaseSnapshot;
import io.credsync.status.DatabaseStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code status} reports, read in one go: the slot and backlog figures (the very queries
 * the consumer's gauges poll, so that the command and the metrics never disagree), who holds
 * the slot, and each role's last synced change.
 *
 * <p>Immutable and thread-safe. {@code slot} is null when the slot does not exist; nothing else
 * is null.
 *
 * @param database the database's name
 * @param figures the slot's state, retained WAL, lag, pending and failed events
 * @param slot details of the slot and its holder
 * @param roles managed and synced roles, by name
 */
record StatusReport(String database, DatabaseSnapshot figures, StatusSlot slot, List<StatusRole> roles) {

    StatusReport {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(figures, "figures");
        roles = List.copyOf(roles);
    }

    /**
     * Reads the report. The statements run one after another, not in one snapshot: the slot may
     * change hands between them, which a report meant for a person may show.
     */
    static StatusReport read(Connection connection, String slotName, Clock clock) throws SQLException {
        DatabaseSnapshot figures = DatabaseStatus.read(connection, slotName, clock);
        StatusSlot slot = StatusSlot.read(connection, slotName);
        return new StatusReport(connection.getCatalog(), figures, slot, StatusRole.readAll(connection));
    }

    /** The slot's name, as configured. */
    String slotName() {
        return figures.slotName();
    }

    /** Whether the slot exists (by the figures; the details may have been read a moment later). */
    boolean slotExists() {
        return figures.slotExists();
    }
}
