package io.credsync.config;

import java.util.Locale;

/**
 * What the consumer does when it cannot try an event's password against the database before
 * publishing it (the role has no LOGIN, pg_hba.conf allows it no password login, its VALID
 * UNTIL has passed, its connection limit is reached). A password that is tried and refused is
 * never published, whatever the mode.
 */
public enum VerifyMode {
    /** Record the event as failed, with the reason. The default. */
    REQUIRED,
    /** Publish it anyway, and count it in a metric. */
    BEST_EFFORT,
    /** Do not try passwords at all. */
    OFF;

    /** The value as written in the configuration: {@code required}, {@code best-effort}, {@code off}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static VerifyMode parse(String text) {
        for (VerifyMode mode : values()) {
            if (mode.value().equalsIgnoreCase(text.strip())) {
                return mode;
            }
        }
        return null;
    }
}
