package io.credsync.drift;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a role's changes stand in the outbox, read before and after its drift check.
 *
 * @param newestEvent the id of its newest outbox row; empty if it has none
 * @param undelivered whether one of its outbox rows has no delivery row yet
 * @param newestStatus the delivery status of its newest delivered row, e.g. {@code failed}
 * @param newestReason that row's reason, when it has one
 */
record RoleProgress(OptionalLong newestEvent, boolean undelivered, Optional<String> newestStatus,
        Optional<String> newestReason) {

    /** Whether the newest change was refused for good, so the secret lags by design. */
    boolean newestFailed() {
        return newestStatus.filter(s -> s.equals("failed") || s.equals("rejected")).isPresent();
    }
}
