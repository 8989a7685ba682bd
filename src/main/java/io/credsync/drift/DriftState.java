package io.credsync.drift;

/** A managed role's verdict, as {@code credsync.drift_check.state} spells it. */
public enum DriftState {
    /** The secret's current password logs in. */
    IN_SYNC("in_sync"),
    /** The secret is missing, unreadable, or its password does not log in. */
    DRIFTED("drifted"),
    /** The login cannot be tried (no LOGIN, VALID UNTIL passed, ...): neither verdict holds. */
    UNVERIFIABLE("unverifiable");

    private final String sqlValue;

    DriftState(String sqlValue) {
        this.sqlValue = sqlValue;
    }

    public String sqlValue() {
        return sqlValue;
    }

    /** @return the state spelled {@code value}, as stored */
    public static DriftState ofSqlValue(String value) {
        for (DriftState state : values()) {
            if (state.sqlValue.equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown drift state " + value);
    }
}
