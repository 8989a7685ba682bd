package io.credsync.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations of the configuration: a whole number and a unit ({@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}) or ISO-8601 ({@code PT10S}). A bare number is refused:
 * whether {@code 10} means seconds or milliseconds is exactly the guess a reader gets wrong.
 */
final class Durations {
    static final String EXPECTED = "must be a duration like 500ms, 10s, 5m, 1h or PT10S";

    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h)");

    private Durations() {
    }

    /**
     * @return the duration {@code text} denotes; zero or positive
     * @throws IllegalArgumentException with a message (without a key) saying what is expected
     */
    static Duration parse(String text) {
        String trimmed = text.strip();
        Matcher m = SHORT.matcher(trimmed);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms": return Duration.ofMillis(amount);
                    case "s": return Duration.ofSeconds(amount);
                    case "m": return Duration.ofMinutes(amount);
                    default: return Duration.ofHours(amount);
                }
            }
            if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
                Duration d = Duration.parse(trimmed);
                if (!d.isNegative()) {
                    return d;
                }
            }
        } catch (ArithmeticException | DateTimeParseException e) {
            // Fall through to the one message that says what is accepted.
        }
        throw new IllegalArgumentException(EXPECTED + ", got " + text);
    }

    /** @return {@code d} in the short form when it is a whole number of one unit, else ISO-8601 */
    static String format(Duration d) {
        long millis;
        try {
            millis = d.toMillis();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (!d.equals(Duration.ofMillis(millis))) {
            return d.toString();
        }
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
