package io.credsync.testing;

import static org.assertj.core.api.Assertions.fail;

import java.util.Collection;
import java.util.List;

/**
 * Asserts that a text (a server log, a process's output, an error message) holds none of the
 * passwords a test set, and on failure says where without quoting the text: AssertJ's own
 * {@code doesNotContain} prints the whole text, so a failing scan would copy the very password it
 * found into the test report and the CI log.
 *
 * <p>Stateless and thread-safe.
 */
public final class NoPasswordIn {

    private NoPasswordIn() {
    }

    /** Fails naming {@code what}, the line and column of the first hit, and which value it was. */
    public static void assertAbsent(String text, String what, Collection<String> values) {
        int index = 0;
        for (String value : values) {
            index++;
            if (value == null || value.isEmpty()) {
                continue;
            }
            int at = text.indexOf(value);
            if (at >= 0) {
                fail(what + " holds value " + index + " of " + values.size() + " (" + value.length()
                        + " characters) at line " + lineOf(text, at) + ", column " + columnOf(text, at)
                        + "; the text is not quoted here so that the report does not hold it too");
            }
        }
    }

    /** {@link #assertAbsent(String, String, Collection)} for one value. */
    public static void assertAbsent(String text, String what, String value) {
        assertAbsent(text, what, List.of(value));
    }

    private static int lineOf(String text, int at) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static int columnOf(String text, int at) {
        return at - text.lastIndexOf('\n', at - 1);
    }
}
