package io.credsync.install;

import java.util.Comparator;

/**
 * Orders extension versions such as {@code 0.1.0} and {@code 0.10.0}: dot-separated parts,
 * compared as numbers when both are numbers, else as text. PostgreSQL itself does not order
 * versions (it only follows update paths), but install and doctor must tell "older" from
 * "newer" to say what to do. Stateless and thread-safe.
 */
public final class ExtensionVersions {

    /** Orders versions; a version with more parts after equal ones is the newer. */
    static final Comparator<String> ORDER = ExtensionVersions::compare;

    private ExtensionVersions() {
    }

    static int compare(String a, String b) {
        String[] left = a.split("\\.", -1);
        String[] right = b.split("\\.", -1);
        for (int i = 0; i < Math.min(left.length, right.length); i++) {
            int c = comparePart(left[i], right[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(left.length, right.length);
    }

    public static boolean isNewer(String candidate, String than) {
        return compare(candidate, than) > 0;
    }

    private static int comparePart(String a, String b) {
        boolean numbers = !a.isEmpty() && !b.isEmpty() && a.chars().allMatch(Character::isDigit)
                && b.chars().allMatch(Character::isDigit);
        if (numbers) {
            // Compared as text of equal length, so that parts longer than a long still order.
            String x = a.replaceFirst("^0+(?=.)", "");
            String y = b.replaceFirst("^0+(?=.)", "");
            return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
        }
        return a.compareTo(b);
    }
}
