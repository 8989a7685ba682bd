package io.credsync.drift;

import java.util.Objects;

/**
 * One role's drift check. Immutable; holds no password.
 *
 * @param role the role
 * @param state the verdict
 * @param reason why, for {@link DriftState#DRIFTED} and {@link DriftState#UNVERIFIABLE}; null when
 *     in sync
 * @param fix what to do, one line with the SQL or command; null when in sync
 * @param secretName the secret checked; null when no name could be made for the role
 * @param rotatable whether rotating the role is the fix: false when its newest change failed or
 *     was rejected, whose cause a new password would not remove
 */
public record DriftVerdict(String role, DriftState state, String reason, String fix, String secretName,
        boolean rotatable) {

    public DriftVerdict {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(state, "state");
    }

    static DriftVerdict inSync(String role, String secretName) {
        return new DriftVerdict(role, DriftState.IN_SYNC, null, null, secretName, false);
    }

    public boolean drifted() {
        return state == DriftState.DRIFTED;
    }
}
