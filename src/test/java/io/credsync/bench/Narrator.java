package io.credsync.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * How the demo talks: step headings, indented explanations, commands as one would type them,
 * and what they printed, indented further. Bold and dim on a terminal only (the caller says).
 *
 * <p>Never hand it a password: {@link #mask} is the only form in which one may appear.
 * Not thread-safe: the demo narrates from one thread. No argument may be null.
 */
final class Narrator {

    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";

    private final PrintStream out;
    private final boolean styled;

    /**
     * @param styled whether {@code out} is a terminal, which shows bold and dim text
     */
    Narrator(PrintStream out, boolean styled) {
        this.out = Objects.requireNonNull(out, "out");
        this.styled = styled;
    }

    /** A password as the demo shows it: its first two characters, then {@code ****}. */
    static String mask(String password) {
        return password.substring(0, Math.min(2, password.length())) + "****";
    }

    /** Seconds with one decimal, e.g. {@code 2.3}. */
    static String seconds(long startNanos) {
        return String.format(Locale.ROOT, "%.1f", Millis.since(startNanos) / 1000);
    }

    /** A heading line in bold, like the title. */
    void title(String text) {
        out.println(style(BOLD, text));
    }

    /** A step's heading: {@code ==> 3/8 Installing credsync}, after an empty line. */
    void step(String number, String title) {
        out.println();
        out.println(style(BOLD, "==> " + number + " " + title));
    }

    /** An indented line of explanation. */
    void say(String text) {
        out.println("    " + text);
    }

    /** A command the way one would type it, any password in it already masked. */
    void show(String command) {
        out.println("    " + style(DIM, "$ " + command));
    }

    /** The next line of a command that {@link #show} began (after a line ending in {@code \}). */
    void showMore(String continuation) {
        out.println("    " + style(DIM, "    " + continuation));
    }

    /** What a command printed, indented under it, without its empty lines. */
    void output(String text) {
        text.lines().filter(line -> !line.isBlank()).forEach(line -> out.println("      " + line));
    }

    /** Writes what is buffered, e.g. before a wait, so the reader sees what is being waited for. */
    void flush() {
        out.flush();
    }

    private String style(String style, String text) {
        return styled ? style + text + RESET : text;
    }
}
