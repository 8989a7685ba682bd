package io.credsync.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.status.DatabaseSnapshot;
import java.util.List;

/**
 * {@code status --json}: the facts of the text report as one JSON object, for scripts and
 * monitoring. Field names are snake_case and stable; unknown values are null, never absent.
 *
 * <pre>
 * {"database", "checked_at", "status": "ok"|"attention",
 *  "slot": {"name", "exists", "active", "active_pid", "client_addr", "client_hostname",
 *           "application_name", "backend_start", "state", "wal_status", "retained_wal_bytes",
 *           "lag_bytes", "safe_wal_size", "restart_lsn", "confirmed_flush_lsn", "plugin"},
 *  "events": {"pending", "oldest_pending_age_seconds", "failed"},
 *  "roles": [{"role", "managed", "last_synced_at", "secret_version", "secret_arn", "outbox_id",
 *    "drift": null or {"state", "reason", "fix", "checked_at", "drifted_since"}}],
 *  "warnings": [{"code", "message", "advice": [...]}]}
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
final class StatusJson {

    private StatusJson() {
    }

    static ObjectNode of(StatusReport report, List<StatusWarning> warnings) {
        DatabaseSnapshot f = report.figures();
        ObjectNode root = OutputJson.object();
        root.put("database", report.database());
        OutputJson.put(root, "checked_at", f.polledAt());
        root.put("status", warnings.isEmpty() ? "ok" : "attention");
        root.set("slot", slot(report));
        ObjectNode events = root.putObject("events");
        events.put("pending", f.pendingEvents());
        OutputJson.putSeconds(events, "oldest_pending_age_seconds", f.oldestPendingAge());
        events.put("failed", f.failedEvents());
        ArrayNode roles = root.putArray("roles");
        for (StatusRole role : report.roles()) {
            ObjectNode r = roles.addObject();
            r.put("role", role.role());
            r.put("managed", role.managed());
            OutputJson.put(r, "last_synced_at", role.lastSyncedAt());
            r.put("secret_version", role.secretVersion());
            r.put("secret_arn", role.secretArn());
            r.put("outbox_id", role.outboxId());
            if (role.drift() == null) {
                r.putNull("drift");
            } else {
                ObjectNode drift = r.putObject("drift");
                drift.put("state", role.drift().state());
                drift.put("reason", role.drift().reason());
                drift.put("fix", role.drift().fix());
                OutputJson.put(drift, "checked_at", role.drift().checkedAt());
                OutputJson.put(drift, "drifted_since", role.drift().driftedSince());
            }
        }
        ArrayNode list = root.putArray("warnings");
        for (StatusWarning warning : warnings) {
            ObjectNode w = list.addObject();
            w.put("code", warning.code());
            w.put("message", warning.message());
            ArrayNode advice = w.putArray("advice");
            warning.advice().forEach(advice::add);
        }
        return root;
    }

    private static ObjectNode slot(StatusReport report) {
        DatabaseSnapshot f = report.figures();
        StatusSlot s = report.slot();
        ObjectNode slot = OutputJson.object();
        slot.put("name", f.slotName());
        slot.put("exists", f.slotExists());
        slot.put("active", f.slotActive());
        slot.put("active_pid", f.activePid());
        slot.put("client_addr", s == null ? null : s.clientAddress());
        slot.put("client_hostname", s == null ? null : s.clientHostname());
        slot.put("application_name", s == null ? null : s.applicationName());
        OutputJson.put(slot, "backend_start", s == null ? null : s.backendStart());
        slot.put("state", s == null ? null : s.replicationState());
        slot.put("wal_status", f.walStatus());
        slot.put("retained_wal_bytes", f.retainedWalBytes());
        slot.put("lag_bytes", f.replicationLagBytes());
        slot.put("safe_wal_size", s == null ? null : s.safeWalSize());
        slot.put("restart_lsn", s == null ? null : s.restartLsn());
        slot.put("confirmed_flush_lsn", s == null ? null : s.confirmedFlushLsn());
        slot.put("plugin", s == null ? null : s.plugin());
        return slot;
    }
}
