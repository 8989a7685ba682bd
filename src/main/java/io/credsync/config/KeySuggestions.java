package io.credsync.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** Finds the known key that a mistyped one most likely meant, for "did you mean" hints. */
final class KeySuggestions {
    private static final int MAX_DISTANCE = 2;

    private KeySuggestions() {
    }

    /**
     * @return the known key equal to {@code unknown} but for case, {@code _} and {@code -}
     *     ({@code nameTemplate}, {@code name-template}), else the nearest one within two edits
     */
    static Optional<String> closest(String unknown, Collection<String> known) {
        String normalized = normalize(unknown);
        Optional<String> spelling = known.stream().filter(k -> normalize(k).equals(normalized)).findFirst();
        if (spelling.isPresent()) {
            return spelling;
        }
        return known.stream()
                .filter(k -> distance(unknown, k) <= MAX_DISTANCE)
                .min(Comparator.comparingInt(k -> distance(unknown, k)));
    }

    private static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein distance; keys are short, so the quadratic table is fine. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
