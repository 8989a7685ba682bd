package io.credsync.config;

import io.credsync.config.Section.Setting;
import java.time.Duration;
import java.util.Optional;

/** The rule shared by the two backoff pairs (reconnection, delivery retries). */
final class Backoffs {
    private Backoffs() {
    }

    /**
     * Reports a maximum below its initial value, on whichever of the two keys was set. Skipped
     * when the section already failed, where a value may be a stand-in for a refused one.
     */
    static void check(Section s, String initialKey, Duration initial, String maxKey, Duration max) {
        if (s.failed() || max.compareTo(initial) >= 0) {
            return;
        }
        Optional<Setting> maxSetting = s.scalar(maxKey);
        if (maxSetting.isPresent()) {
            s.problem(maxSetting.get(), "must be at least " + s.path(initialKey) + " ("
                    + Durations.format(initial) + "), got " + Durations.format(max));
        } else {
            s.problem(s.scalar(initialKey).orElseThrow(), "must be at most " + s.path(maxKey) + " ("
                    + Durations.format(max) + "), got " + Durations.format(initial));
        }
    }
}
