package io.credsync.cli;

import io.credsync.status.DatabaseSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Something in a {@link StatusReport} that needs an operator: a missing, idle or invalidated
 * slot, failed events, or events pending for too long. Each says what is wrong and what to do.
 *
 * <p>Immutable and thread-safe; nothing is null.
 *
 * @param code a stable identifier for scripts, e.g. {@code slot_inactive}
 * @param message one sentence: what is wrong and why it matters
 * @param advice what to do, one step per entry, with the exact command or SQL
 */
record StatusWarning(String code, String message, List<String> advice) {

    StatusWarning {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        advice = List.copyOf(advice);
    }

    /**
     * The warnings {@code report} calls for, most urgent first.
     *
     * @param maxPendingAge how old the oldest pending event may be before it needs attention
     * @param runCommand how the consumer is started here, for the advice
     */
    static List<StatusWarning> of(StatusReport report, Duration maxPendingAge, String runCommand) {
        DatabaseSnapshot f = report.figures();
        String slot = f.slotName();
        // The name matches [a-z0-9_]{1,63} (the configuration checks it): safe inside quotes.
        String drop = "SELECT pg_catalog.pg_drop_replication_slot('" + slot + "');";
        List<StatusWarning> warnings = new ArrayList<>();
        if (!f.slotExists()) {
            warnings.add(new StatusWarning("slot_missing", "replication slot " + slot + " does not exist in database "
                    + report.database() + ": no consumer has run here yet (or the slot was dropped), so password"
                    + " changes wait in the outbox",
                    List.of("start the consumer, which creates the slot and delivers every event not yet delivered: "
                            + runCommand)));
        } else if ("lost".equals(f.walStatus())) {
            warnings.add(new StatusWarning("slot_lost", "replication slot " + slot + " has lost WAL it needed"
                    + " (wal_status lost): it can no longer stream",
                    List.of("start or restart the consumer: it drops the lost slot, creates it again and delivers"
                                    + " every event not yet delivered from the outbox table: " + runCommand,
                            "or drop it yourself: " + drop)));
        } else if (!f.slotActive()) {
            warnings.add(new StatusWarning("slot_inactive", "replication slot " + slot + " is not active and holds "
                    + OutputText.bytes(f.retainedWalBytes()) + " of WAL: no consumer streams from it, so PostgreSQL"
                    + " keeps every WAL file since it stopped, until the disk fills",
                    List.of("start the consumer: " + runCommand,
                            "or, if credsync no longer runs against this database, drop the slot (nothing is lost: a"
                                    + " consumer started later creates it again and delivers from the outbox"
                                    + " table): " + drop)));
        }
        if ("unreserved".equals(f.walStatus())) {
            warnings.add(new StatusWarning("slot_unreserved", "replication slot " + slot + " holds more WAL than"
                    + " max_slot_wal_keep_size allows (wal_status unreserved): the next checkpoint may invalidate it",
                    List.of("check that the consumer runs and keeps up: " + runCommand)));
        }
        if (f.failedEvents() > 0) {
            warnings.add(new StatusWarning("failed_events", f.failedEvents() + " event"
                    + (f.failedEvents() == 1 ? " has" : "s have") + " failed or been rejected and still need"
                    + (f.failedEvents() == 1 ? "s" : "") + " action: no newer change of "
                    + (f.failedEvents() == 1 ? "its role" : "their roles") + " has reached Secrets Manager since,"
                    + " and nobody dismissed " + (f.failedEvents() == 1 ? "it" : "them"),
                    List.of("see why: credsync events --status failed --status rejected",
                            "fix the cause, then deliver them again: credsync replay --all-failed",
                            "or, if one needs nothing (its role was dropped, the change was a mistake): credsync"
                                    + " dismiss ID --reason '...'")));
        }
        List<StatusRole> drifted = report.roles().stream()
                .filter(r -> r.managed() && r.drift() != null && r.drift().drifted()).toList();
        if (!drifted.isEmpty()) {
            warnings.add(new StatusWarning("secret_drift", drifted.size() + " managed role"
                    + (drifted.size() == 1 ? "'s secret does" : "s' secrets do") + " not log in (drift): "
                    + String.join(", ", drifted.stream().map(StatusRole::role).toList())
                    + "; applications reading " + (drifted.size() == 1 ? "it" : "them") + " cannot connect",
                    drifted.stream().map(r -> r.role() + ": " + r.drift().reason() + "; fix: " + r.drift().fix()).toList()));
        }
        Duration age = f.oldestPendingAge();
        if (age != null && age.compareTo(maxPendingAge) > 0) {
            warnings.add(new StatusWarning("pending_too_long", f.pendingEvents() + " event"
                    + (f.pendingEvents() == 1 ? " is" : "s are") + " pending, the oldest for "
                    + OutputText.duration(age) + " (more than " + OutputText.duration(maxPendingAge) + ")",
                    List.of("check that the consumer runs, its log, and GET /health/ready: it may be unable to"
                            + " reach KMS or Secrets Manager")));
        }
        return List.copyOf(warnings);
    }
}
