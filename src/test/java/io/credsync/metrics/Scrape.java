package io.credsync.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples out of Prometheus text exposition, so that tests do not depend on the order
 * of labels or on how numbers are printed.
 */
final class Scrape {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+).*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final String text;

    Scrape(String text) {
        this.text = text;
    }

    /**
     * The value of the sample {@code name} whose labels include {@code labels} (name, value,
     * name, value...); empty when there is none.
     */
    OptionalDouble value(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.matches() || !sample.group(1).equals(name)) {
                continue;
            }
            Map<String, String> actual = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    actual.put(label.group(1), label.group(2));
                }
            }
            if (actual.entrySet().containsAll(wanted.entrySet())) {
                return OptionalDouble.of(Double.parseDouble(sample.group(3)));
            }
        }
        return OptionalDouble.empty();
    }

    /** Whether some sample of {@code name} exists. */
    boolean has(String name) {
        return Arrays.stream(text.split("\n")).anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }

    @Override
    public String toString() {
        return text;
    }
}
