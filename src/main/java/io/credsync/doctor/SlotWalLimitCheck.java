package io.credsync.doctor;

import io.credsync.install.ServerFacts;

/**
 * Is {@code max_slot_wal_keep_size} set? Unlimited (-1), an abandoned slot keeps WAL until the
 * disk fills; with a limit, the slot is invalidated instead, and credsync recovers because the
 * outbox table, not the slot, is the record of events.
 */
final class SlotWalLimitCheck implements Check {

    @Override
    public String name() {
        return "max_slot_wal_keep_size";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        ServerFacts facts = context.facts();
        ServerFacts.Setting setting = facts.setting("max_slot_wal_keep_size")
                .orElseThrow(() -> new CheckSkipped("max_slot_wal_keep_size is not readable"));
        if (setting.value().equals("-1")) {
            return CheckResult.warn("-1 (unlimited): an abandoned slot keeps WAL until the disk fills",
                    "set max_slot_wal_keep_size to what the disk can spare, e.g. 4GB ("
                            + (facts.rds() ? "parameter group" : "postgresql.conf, then reload") + ")");
        }
        return CheckResult.ok(setting.display());
    }
}
