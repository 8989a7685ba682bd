package io.credsync.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns caller-supplied codes (AWS error codes, delivery reason codes) into tag values of
 * bounded cardinality: null becomes {@value #NONE}; anything that does not look like a code
 * (too long, spaces, punctuation: probably message text) becomes {@value #OTHER}; and once
 * {@code limit} distinct codes have been seen, new ones become {@value #OTHER} too, so that a
 * misbehaving caller cannot make a Prometheus series per event.
 *
 * <p>Thread-safe. The limit is approximate under contention (it may be passed by the number of
 * threads racing), which is harmless.
 */
final class TagValues {

    static final String NONE = "none";
    static final String OTHER = "other";

    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final int limit;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    TagValues(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** The tag value for {@code code}, which may be null; never null. */
    String of(String code) {
        if (code == null) {
            return NONE;
        }
        if (!CODE.matcher(code).matches()) {
            return OTHER;
        }
        if (seen.contains(code)) {
            return code;
        }
        if (seen.size() >= limit) {
            return OTHER;
        }
        seen.add(code);
        return code;
    }
}
