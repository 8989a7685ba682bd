package io.credsync.cli;

import io.credsync.status.DatabaseSnapshot;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code status} for a person: warnings first, each with what to do, so that an abandoned slot
 * is the first thing read; then the slot, the events and the roles; then a one-line verdict.
 *
 * <p>Stateless and thread-safe.
 */
final class StatusText {

    private StatusText() {
    }

    static void print(PrintWriter out, StatusReport report, List<StatusWarning> warnings) {
        DatabaseSnapshot f = report.figures();
        out.println("credsync status of database " + OutputText.safe(report.database()) + " at "
                + OutputText.time(f.polledAt()));
        out.println();
        for (StatusWarning warning : warnings) {
            out.println("WARNING: " + warning.message());
            warning.advice().forEach(step -> out.println("  -> " + step));
            out.println();
        }
        slot(out, report);
        out.println();
        out.println("Events");
        out.println("  pending:          " + f.pendingEvents()
                + (f.oldestPendingAge() == null ? "" : ", the oldest for " + OutputText.duration(f.oldestPendingAge())));
        out.println("  failed/rejected:  " + f.failedEvents() + " needing action");
        out.println();
        roles(out, report.roles());
        out.println();
        if (warnings.isEmpty()) {
            out.println("Status: OK");
        } else {
            out.println("Status: ATTENTION: " + warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s")
                    + " above (" + String.join(", ", warnings.stream().map(StatusWarning::code).toList()) + ")");
        }
        out.flush();
    }

    private static void slot(PrintWriter out, StatusReport report) {
        DatabaseSnapshot f = report.figures();
        out.println("Replication slot " + f.slotName());
        if (!f.slotExists()) {
            out.println("  exists:           no");
            return;
        }
        StatusSlot slot = report.slot();
        String holder = slot == null ? "pid " + f.activePid() : slot.holder();
        out.println("  active:           " + (f.slotActive() ? "yes, held by " + holder : "NO, nobody streams from it"));
        if (slot != null && slot.replicationState() != null) {
            out.println("  stream state:     " + OutputText.safe(slot.replicationState())
                    + (slot.backendStart() == null ? "" : ", connected since " + OutputText.time(slot.backendStart())));
        }
        out.println("  wal_status:       " + (f.walStatus() == null ? OutputText.UNKNOWN : f.walStatus()));
        out.println("  retained WAL:     " + OutputText.bytes(f.retainedWalBytes()));
        out.println("  confirmed lag:    " + OutputText.bytes(f.replicationLagBytes()));
        if (slot != null) {
            if (slot.safeWalSize() != null) {
                out.println("  safe_wal_size:    " + OutputText.bytes(slot.safeWalSize()));
            }
            out.println("  confirmed LSN:    " + (slot.confirmedFlushLsn() == null ? OutputText.UNKNOWN
                    : slot.confirmedFlushLsn()));
            out.println("  plugin:           " + OutputText.safe(slot.plugin()));
        }
    }

    private static void roles(PrintWriter out, List<StatusRole> roles) {
        out.println("Roles");
        if (roles.isEmpty()) {
            out.println("  none managed (SELECT credsync.manage('app\\_%') adds a pattern)");
            return;
        }
        OutputTable table = new OutputTable("ROLE", "MANAGED", "LAST SYNCED", "SECRET VERSION", "DRIFT CHECK");
        for (StatusRole role : roles) {
            table.row(role.role(), role.managed() ? "yes" : "no",
                    role.lastSyncedAt() == null ? "never" : OutputText.time(role.lastSyncedAt()),
                    role.secretVersion(), driftCell(role.drift()));
        }
        table.print(out, "  ");
    }

    private static String driftCell(StatusRole.Drift drift) {
        if (drift == null) {
            return "not yet";
        }
        String state = drift.state().replace('_', ' ');
        return state + " (" + OutputText.time(drift.checkedAt()) + ")";
    }
}
