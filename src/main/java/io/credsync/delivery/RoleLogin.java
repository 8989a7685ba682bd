package io.credsync.delivery;

import java.time.Instant;

/**
 * What the catalog says about whether a role can log in with a password, from
 * {@code pg_roles} and {@code pg_stat_activity}, which every role may read.
 *
 * @param canLogin the role's LOGIN attribute
 * @param validUntil when its password expires; null for never
 * @param connectionLimit its connection limit; -1 for none
 * @param connections its connections open now
 */
public record RoleLogin(boolean canLogin, Instant validUntil, int connectionLimit, long connections) {
}
