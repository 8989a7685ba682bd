package io.credsync.config;

import java.util.List;
import java.util.Objects;

/**
 * The configuration is wrong, so credsync refuses to start. Each problem starts with the key it
 * is about ({@code database.port: must be between 1 and 65535, got 0}) or, for the file itself,
 * with its path; the message lists every problem found, one a line, so that one attempt shows
 * all there is to fix.
 *
 * <p>No message contains a password: values are quoted only for keys that never hold one.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** One problem, already in the form {@code key: what is wrong}. */
    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** Several problems, each in the form {@code key: what is wrong}; at least one. */
    public ConfigException(List<String> problems) {
        super(String.join("\n", requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    private static List<String> requireSome(List<String> problems) {
        if (Objects.requireNonNull(problems, "problems").isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems;
    }

    /** @return every problem, in the order found; never empty, unmodifiable */
    public List<String> problems() {
        return problems;
    }
}
