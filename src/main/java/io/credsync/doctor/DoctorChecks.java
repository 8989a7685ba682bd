package io.credsync.doctor;

import java.util.List;

/** The checks {@code credsync doctor} runs, in the order it prints them. Stateless and thread-safe. */
public final class DoctorChecks {

    private DoctorChecks() {
    }

    /**
     * Every check, the database's first (the connection before all), then AWS's. Each check is
     * one small class: to add one, write it and list it here.
     */
    public static List<Check> standard() {
        return List.of(
                new ConnectionCheck(),
                new WalLevelCheck(),
                ReplicationCapacityCheck.slots(),
                ReplicationCapacityCheck.walSenders(),
                new SlotWalLimitCheck(),
                new HookPreloadCheck(),
                NativeSettingCheck.enabled(),
                NativeSettingCheck.require(),
                new PgTlePasswordCheck(),
                new PgTleDbNameCheck(),
                new PgTleFeatureCheck(),
                new ErrorStatementLogCheck(),
                new ExtensionCheck(),
                new ClusterCoverageCheck(),
                new ReleasedDatabasesCheck(),
                new PublicationCheck(),
                new SlotCheck(),
                new ConsumerRoleCheck(),
                new ManagedRolesCheck(),
                new VerifiableRolesCheck(),
                new SecretDriftCheck(),
                new AutoRotateCheck(),
                new ActiveKeyCheck(),
                new KmsDecryptCheck(),
                new SecretsManagerCheck(),
                new SecretConflictsCheck());
    }
}
