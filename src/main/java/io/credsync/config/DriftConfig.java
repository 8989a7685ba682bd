package io.credsync.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code drift} section: how often the consumer checks that every managed role's secret still
 * logs in, and whether it rotates a role whose secret does not.
 *
 * <p>Immutable and thread-safe. No component is null; the interval is positive.
 *
 * @param enabled whether the consumer checks at all
 * @param interval the time between two checks of every managed role; the first check runs one
 *     interval after the consumer starts streaming
 * @param autoRotate whether a drifted role is rotated ({@code credsync.rotate}) by the consumer,
 *     which then needs EXECUTE on that function
 */
public record DriftConfig(boolean enabled, Duration interval, boolean autoRotate) {

    static final List<String> KEYS = List.of("enabled", "interval", "auto_rotate");

    /** Below this, checks would cost a login and a Secrets Manager read per role every few seconds. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    public DriftConfig {
        Objects.requireNonNull(interval, "interval");
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static DriftConfig read(Section s) {
        boolean enabled = s.bool("enabled", true);
        Duration interval = s.duration("interval", Duration.ofMinutes(15));
        if (interval != null && interval.compareTo(MIN_INTERVAL) < 0) {
            s.problem(s.scalar("interval").orElseThrow(), "must be at least 1s, got " + Durations.format(interval));
        }
        boolean autoRotate = s.bool("auto_rotate", false);
        if (autoRotate && !enabled) {
            s.problem(s.scalar("auto_rotate").orElseThrow(),
                    "needs drift.enabled true: a rotation on drift needs the check that finds it");
        }
        return s.failed() ? null : new DriftConfig(enabled, interval, autoRotate);
    }
}
