package io.credsync.doctor;

import io.credsync.install.ServerFacts;

/**
 * Is {@code wal_level} logical? The consumer streams through a logical slot, which needs it.
 * On RDS and Aurora the parameter to set is {@code rds.logical_replication}.
 */
final class WalLevelCheck implements Check {

    @Override
    public String name() {
        return "wal_level";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        ServerFacts facts = context.facts();
        String level = facts.value("wal_level").orElse("unknown");
        String rds = facts.value("rds.logical_replication").map(v -> ", rds.logical_replication " + v).orElse("");
        if (level.equals("logical")) {
            return CheckResult.ok(level + rds);
        }
        String fix = facts.rds()
                ? "set rds.logical_replication = 1 in the DB parameter group (the cluster parameter group on"
                        + " Aurora) and reboot the instance"
                : "set wal_level = logical in postgresql.conf and restart PostgreSQL";
        return CheckResult.fail(level + rds + ": logical replication is off, so no consumer can stream", fix);
    }
}
