package io.credsync.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The template that names a role's secret, such as {@code {prefix}{database}/{role}}: literal
 * text and the placeholders {@code {prefix}}, {@code {database}} and {@code {role}}. Parsing
 * refuses any other placeholder (a typo like {@code {rol}} must not end up in every secret's
 * name), unbalanced braces, literal characters that Secrets Manager does not allow in a name,
 * and a template without {@code {role}} (every role would share one secret).
 *
 * <p>The one parser of the template: the configuration checks it at start-up (naming the key),
 * and {@code secrets.SecretNamer} renders names from the parsed parts.
 *
 * <p>Immutable and thread-safe. Arguments must not be null.
 */
public final class SecretNameTemplate {
    /** The placeholders a template may use. */
    public static final Set<String> PLACEHOLDERS = Set.of("prefix", "database", "role");

    /** The characters Secrets Manager allows in a secret name, and its length limit. */
    private static final Pattern NAME_CHARACTERS = Pattern.compile("[A-Za-z0-9/_+=.@-]*");
    /** The longest name Secrets Manager accepts. */
    public static final int MAX_NAME_LENGTH = 512;
    static final String ALLOWED = "letters, digits and /_+=.@-";

    private final String template;
    /** Literal text and placeholders in order; a placeholder is stored with its braces. */
    private final List<String> parts;

    private SecretNameTemplate(String template, List<String> parts) {
        this.template = template;
        this.parts = List.copyOf(parts);
    }

    /**
     * @throws IllegalArgumentException with a message (without a key) saying what is wrong, e.g.
     *     {@code unknown placeholder {rol}}
     */
    public static SecretNameTemplate parse(String template) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            int close = template.indexOf('}', i);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new IllegalArgumentException("} at position " + close + " has no matching {");
            }
            if (open < 0) {
                parts.add(literal(template.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(literal(template.substring(i, open)));
            }
            int nested = template.indexOf('{', open + 1);
            if (close < 0 || (nested >= 0 && nested < close)) {
                throw new IllegalArgumentException("{ at position " + open + " is not closed");
            }
            String placeholder = template.substring(open, close + 1);
            if (!PLACEHOLDERS.contains(placeholder.substring(1, placeholder.length() - 1))) {
                throw new IllegalArgumentException("unknown placeholder " + placeholder
                        + "; the placeholders are {prefix}, {database} and {role}");
            }
            parts.add(placeholder);
            i = close + 1;
        }
        if (!parts.contains("{role}")) {
            throw new IllegalArgumentException("must contain {role}, or every role would share one secret");
        }
        return new SecretNameTemplate(template, parts);
    }

    private static String literal(String text) {
        invalidName(text, true).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return text;
    }

    /** Whether the template uses {@code placeholder}: {@code prefix}, {@code database} or {@code role}. */
    public boolean uses(String placeholder) {
        return parts.contains("{" + placeholder + "}");
    }

    /**
     * The template with its placeholders replaced by these values, which are not checked here:
     * the caller decides what a role or database name may hold.
     */
    public String render(String prefix, String database, String role) {
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            // A literal part never holds a brace (parse refuses them), so it cannot look like a placeholder.
            switch (part) {
                case "{prefix}" -> name.append(prefix);
                case "{database}" -> name.append(database);
                case "{role}" -> name.append(role);
                default -> name.append(part);
            }
        }
        return name.toString();
    }

    /**
     * Checks a secret name (or a piece of one) against Secrets Manager's rules: 1 to
     * {@value #MAX_NAME_LENGTH} ASCII letters, digits and {@code /_+=.@-}.
     *
     * @param piece whether {@code name} is a piece of a name (a prefix, a literal), which may be empty
     * @return what is wrong with {@code name}, or empty if Secrets Manager accepts it
     */
    public static Optional<String> invalidName(String name, boolean piece) {
        if (!NAME_CHARACTERS.matcher(name).matches()) {
            int bad = name.codePoints().filter(c -> !NAME_CHARACTERS.matcher(Character.toString(c)).matches())
                    .findFirst().orElseThrow();
            return Optional.of("contains '" + Character.toString(bad) + "', which Secrets Manager does not allow"
                    + " in a secret name (" + ALLOWED + ")");
        }
        if (!piece && name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Optional.of("must be at most " + MAX_NAME_LENGTH + " characters, got " + name.length());
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecretNameTemplate && ((SecretNameTemplate) other).template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    /** @return the template as written */
    @Override
    public String toString() {
        return template;
    }
}
