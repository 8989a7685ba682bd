package io.credsync.doctor;

import io.credsync.install.ServerFacts;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Is there room for credsync's slot and its walsender? One instance checks
 * {@code max_replication_slots} against the slots that exist, the other {@code max_wal_senders}
 * against the walsenders running; each counts credsync's own as needed when it is not there yet.
 * No room at all fails (the consumer cannot start); exactly enough warns (nothing left for
 * another consumer, a replica, or a backup).
 */
final class ReplicationCapacityCheck implements Check {

    private final String setting;
    private final String what;
    private final String countSql;

    private ReplicationCapacityCheck(String setting, String what, String countSql) {
        this.setting = setting;
        this.what = what;
        this.countSql = countSql;
    }

    /** {@code max_replication_slots} against {@code pg_replication_slots}. */
    static ReplicationCapacityCheck slots() {
        return new ReplicationCapacityCheck("max_replication_slots", "replication slots",
                "SELECT count(*), count(*) FILTER (WHERE s.slot_name = ?) FROM pg_catalog.pg_replication_slots s");
    }

    /** {@code max_wal_senders} against the walsenders running (replicas, backups, consumers). */
    static ReplicationCapacityCheck walSenders() {
        return new ReplicationCapacityCheck("max_wal_senders", "walsenders",
                "SELECT (SELECT count(*) FROM pg_catalog.pg_stat_replication),"
                        + " count(*) FILTER (WHERE s.active) FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = ?");
    }

    @Override
    public String name() {
        return setting;
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        ServerFacts facts = context.facts();
        int max = Integer.parseInt(facts.value(setting).orElseThrow(() -> new CheckSkipped(setting + " is not readable")));
        String slot = context.config().replication().slot();
        long used;
        boolean oursCounted;
        try (PreparedStatement statement = context.connection().prepareStatement(countSql)) {
            statement.setString(1, slot);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                used = row.getLong(1);
                oursCounted = row.getLong(2) > 0;
            }
        }
        long spare = max - used - (oursCounted ? 0 : 1);
        String detail = max + ", " + used + " " + what + " in use" + (oursCounted ? " (credsync's included)"
                : ", credsync needs one more");
        String fix = "raise " + setting + " (" + (facts.rds() ? "parameter group, then reboot" : "postgresql.conf,"
                + " then restart") + ")";
        if (spare < 0) {
            return CheckResult.fail(detail + ": no room for credsync's", fix);
        }
        if (spare == 0) {
            return CheckResult.warn(detail + ": none to spare", fix + " so that a replica, a backup or a"
                    + " replacement consumer also fits");
        }
        return CheckResult.ok(detail + ", " + spare + " to spare");
    }
}
