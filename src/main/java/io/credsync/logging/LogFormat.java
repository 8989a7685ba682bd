package io.credsync.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The two shapes of credsync's log lines, and the choice between them: the environment variable
 * {@value #VARIABLE} ({@code json}, {@code text} or {@code auto}) when set, else text when
 * stderr is a terminal and JSON otherwise.
 *
 * <p>Why not {@code System.console()}: it answers for stdin and stdout, not for stderr, where
 * logs go ({@code credsync run 2>>log.json} at a terminal has a console, yet writes a file), and
 * from JDK 22 on it returns a console even without a terminal. On Linux, where credsync runs in
 * production, {@code /proc/self/fd/2} says exactly where stderr goes; elsewhere the console is
 * the best guess left. A {@code docker run -t} container has a terminal too: set
 * {@code CREDSYNC_LOG_FORMAT=json} there if a collector reads its output.
 *
 * <p>Thread-safe; the enum and its methods hold no state.
 */
public enum LogFormat {
    /** One JSON object per line: {@link JsonLineEncoder}. */
    JSON,
    /** A readable line per event, for a terminal. */
    TEXT;

    /** The environment variable that overrides the detection. */
    public static final String VARIABLE = "CREDSYNC_LOG_FORMAT";

    /**
     * @param override the value of {@link #VARIABLE}, or null
     * @param terminal whether stderr is a terminal; asked only when {@code override} does not decide
     * @return the format; empty when {@code override} is not a known value, so that the caller
     *     can say so and fall back to detection
     */
    public static Optional<LogFormat> choose(String override, BooleanSupplier terminal) {
        String value = override == null ? "" : override.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "json" -> Optional.of(JSON);
            case "text" -> Optional.of(TEXT);
            case "", "auto" -> Optional.of(terminal.getAsBoolean() ? TEXT : JSON);
            default -> Optional.empty();
        };
    }

    /** Whether file descriptor 2 is a terminal, as {@code isatty(2)} would say. */
    public static boolean stderrIsTerminal() {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // No /proc (macOS, say): the console exists when stdin and stdout are terminals,
            // and stderr then usually is one too.
            return System.console() != null;
        }
    }

    /** Whether a {@code /proc/self/fd} link target names a terminal (not a pipe, socket or file). */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
