package io.credsync.delivery;

import java.util.Locale;

/** What became of an outbox event; the values of {@code credsync.delivery.status}. */
public enum DeliveryStatus {
    /** Written to its secret. */
    SYNCED,
    /** Not written, because a newer change of the same role was written or is being written. */
    SUPERSEDED,
    /** Not written, by design (reserved for events credsync decides to skip). */
    IGNORED,
    /** Not written, because of a permanent error; the reason says which. Replay it once fixed. */
    FAILED,
    /** Not written, because the password does not log in (see verify-before-publish). */
    REJECTED;

    /** The value stored in the table. */
    public String sqlValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeliveryStatus fromSql(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
