package io.credsync.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Formatting shared by the commands' human-readable output: byte counts and durations in units a
 * reader takes in at a glance, times in UTC, and text from the database made safe for a terminal.
 *
 * <p>Stateless and thread-safe. Every method accepts null where a value may be unknown and then
 * returns {@value #UNKNOWN}; none returns null.
 */
final class OutputText {

    /** What a value the database could not tell prints as. */
    static final String UNKNOWN = "unknown";

    private static final String[] BYTE_UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private OutputText() {
    }

    /** {@code 1.5 GiB (1610612736 bytes)}; small counts print as {@code 512 bytes}. */
    static String bytes(Long bytes) {
        if (bytes == null) {
            return UNKNOWN;
        }
        return bytes < 1024 && bytes > -1024 ? bytes + " bytes" : humanBytes(bytes) + " (" + bytes + " bytes)";
    }

    /** Binary units with one decimal: {@code 1.5 GiB}. */
    static String humanBytes(long bytes) {
        double value = Math.abs((double) bytes);
        int unit = -1;
        while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        if (unit < 0) {
            return bytes + " B";
        }
        return String.format(Locale.ROOT, "%s%.1f %s", bytes < 0 ? "-" : "", value, BYTE_UNITS[unit]);
    }

    /** The two largest units of a duration: {@code 3d 4h}, {@code 12m 5s}, {@code 0.4s}. */
    static String duration(Duration duration) {
        if (duration == null) {
            return UNKNOWN;
        }
        long seconds = duration.getSeconds();
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
        }
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3600;
        long minutes = seconds % 3600 / 60;
        long secs = seconds % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + secs + "s" : secs + "s";
    }

    /** {@code 2024-05-01 12:00:03Z}: seconds are enough for a person; JSON output has the rest. */
    static String time(Instant instant) {
        return instant == null ? UNKNOWN : TIME.format(instant);
    }

    /**
     * {@code text} with control characters shown as {@code \\uXXXX}: role names, reasons and
     * client names come from the database, and a newline or an escape sequence in one must not
     * forge a line of the report or drive the terminal.
     */
    static String safe(String text) {
        if (text == null) {
            return UNKNOWN;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
