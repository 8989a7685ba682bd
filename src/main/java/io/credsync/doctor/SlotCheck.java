package io.credsync.doctor;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The configured slot: missing is only a warning (the consumer creates it); unusable (another
 * type, plugin or database, or invalidated) fails; inactive warns, because it holds WAL while
 * no consumer reads it.
 */
final class SlotCheck implements Check {

    @Override
    public String name() {
        return "replication slot";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        String slot = context.config().replication().slot();
        String dropSql = "SELECT pg_drop_replication_slot('" + slot + "')";
        String drop = dropSql + ", or configure another replication.slot";
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT s.slot_type, s.plugin, s.database, pg_catalog.current_database(), s.active, s.active_pid,"
                        + " s.wal_status, CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL"
                        + " ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn)::bigint END"
                        + " FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return CheckResult.warn(slot + " does not exist yet",
                            "nothing to do before the first start: credsync run creates it");
                }
                if (!"logical".equals(row.getString(1)) || !"pgoutput".equals(row.getString(2))) {
                    return CheckResult.fail(slot + " is a " + row.getString(1) + " slot of plugin " + row.getString(2)
                            + "; credsync needs a logical pgoutput slot", drop);
                }
                if (!row.getString(4).equals(row.getString(3))) {
                    return CheckResult.fail(slot + " belongs to database " + row.getString(3), drop);
                }
                String walStatus = row.getString(7);
                long retained = row.getLong(8);
                String held = row.wasNull() ? "" : ", holding " + retained / (1024 * 1024) + " MB of WAL";
                if ("lost".equals(walStatus)) {
                    return CheckResult.fail(slot + " was invalidated: it held more WAL than max_slot_wal_keep_size",
                            "start (or restart) credsync run: it drops the lost slot, creates it again and delivers"
                                    + " every outbox row not yet delivered from the table; or " + drop);
                }
                if (!row.getBoolean(5)) {
                    return CheckResult.warn(slot + " exists but no consumer streams from it" + held
                                    + " (wal_status " + walStatus + ")",
                            "start credsync run; if credsync is gone for good, " + dropSql
                                    + " before it fills the disk");
                }
                String detail = slot + " active (pid " + row.getInt(6) + "), wal_status " + walStatus + held;
                if ("unreserved".equals(walStatus)) {
                    return CheckResult.warn(detail + ": about to pass max_slot_wal_keep_size",
                            "see why the consumer lags: credsync status, and its logs");
                }
                return CheckResult.ok(detail);
            }
        }
    }
}
