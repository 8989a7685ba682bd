package io.credsync.testing;

/** How {@link PostgresCluster#stop} shuts the server down; the names are pg_ctl's modes. */
public enum ShutdownMode {
    /** Disconnects clients, rolls back their transactions, writes a checkpoint: a clean stop. */
    FAST("fast"),
    /** Kills the server processes at once, as a crash would; the next start runs recovery. */
    IMMEDIATE("immediate");

    private final String pgCtlName;

    ShutdownMode(String pgCtlName) {
        this.pgCtlName = pgCtlName;
    }

    /** The value of pg_ctl's {@code -m} option. */
    String pgCtlName() {
        return pgCtlName;
    }
}
