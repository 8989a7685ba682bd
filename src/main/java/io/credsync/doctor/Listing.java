package io.credsync.doctor;

import java.util.List;

/** Long lists in a check's one-line detail. Pure: thread-safe. */
final class Listing {

    private Listing() {
    }

    /**
     * The first {@code shown} of {@code items} joined with {@code separator}, followed for the
     * others by {@code beforeMore} and "N more", so that one line stays one line; e.g. "a; b; and 3
     * more".
     */
    static String firstOf(List<String> items, int shown, String separator, String beforeMore) {
        return String.join(separator, items.subList(0, Math.min(shown, items.size())))
                + (items.size() > shown ? beforeMore + (items.size() - shown) + " more" : "");
    }
}
