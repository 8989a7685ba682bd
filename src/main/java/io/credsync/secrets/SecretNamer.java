package io.credsync.secrets;

import io.credsync.config.SecretNameTemplate;
import io.credsync.config.SecretsConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names a role's secret: the configured template with {@code {prefix}}, {@code {database}} and
 * {@code {role}} filled in (for example {@code {prefix}{database}/{role}}), unless the role has an
 * override, an exact role name mapped to a whole secret name.
 *
 * <p>Secrets Manager accepts names of 1 to 512 ASCII letters, digits and {@code /_+=.@-}.
 * PostgreSQL allows almost any role name, so credsync refuses rather than encodes: a role or
 * database name outside that set (a space, a quote, non-ASCII) or containing {@code /} gets no
 * templated name, and {@link #nameFor} fails with {@link SecretWriteException#INVALID_SECRET_NAME},
 * naming the role and asking for an override. Why refuse: an encoded name ({@code app=20user}) is
 * one that nobody would guess when configuring an application, and dropping or replacing
 * characters could make two roles share one secret. Why {@code /} too: it would move the name to
 * another level of the hierarchy, so that database {@code a/b} with role {@code c} and database
 * {@code a} with role {@code b/c} would collide.
 *
 * <p>The template is parsed and checked by {@link SecretNameTemplate} (the configuration's, so
 * that start-up names the key); the prefix and the overrides are checked by its name rule when the
 * namer is built, so that a bad one stops start-up with a message
 * ({@link IllegalArgumentException}) instead of failing every event.
 *
 * <p>Immutable and thread-safe. Pure: no I/O.
 */
public final class SecretNamer {

    /** The longest name Secrets Manager accepts. */
    public static final int MAX_NAME_LENGTH = SecretNameTemplate.MAX_NAME_LENGTH;

    private static final String NAME_CHARACTERS = "ASCII letters, digits and /_+=.@-";
    // What a role or database name may hold to be placed into a template: the name characters
    // without '/' (see the class comment).
    private static final Pattern PLACEHOLDER_VALUE = Pattern.compile("[A-Za-z0-9_+=.@-]+");

    private final SecretNameTemplate template;
    private final String prefix;
    private final Map<String, String> overrides;

    /**
     * @param template the name template, with {@code {prefix}}, {@code {database}} and
     *     {@code {role}}; must contain {@code {role}}, so that roles do not share a secret
     * @param prefix what {@code {prefix}} stands for; may be empty, may hold {@code /}
     * @param overrides exact role name to whole secret name; no two roles may share a name
     * @throws IllegalArgumentException if the template, the prefix or an override is invalid
     */
    public SecretNamer(String template, String prefix, Map<String, String> overrides) {
        this(parse(Objects.requireNonNull(template, "template")), prefix, overrides);
    }

    private SecretNamer(SecretNameTemplate template, String prefix, Map<String, String> overrides) {
        this.template = template;
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        SecretNameTemplate.invalidName(prefix, true).ifPresent(problem -> {
            throw new IllegalArgumentException("the secret name prefix " + quote(prefix) + " " + problem);
        });
        this.overrides = Map.copyOf(checkOverrides(overrides));
    }

    /**
     * The namer the consumer uses, from the {@code secrets} section: anything else that names a
     * role's secret (doctor) must name it alike.
     *
     * @throws IllegalArgumentException if the template, the prefix or an override is invalid
     */
    public static SecretNamer of(SecretsConfig secrets) {
        return new SecretNamer(secrets.nameTemplate(), secrets.prefix(), secrets.overrides());
    }

    /**
     * @param database the database the password changed in
     * @param role the role whose password changed
     * @return the secret's name: the role's override, else the rendered template
     * @throws SecretWriteException (permanent, {@link SecretWriteException#INVALID_SECRET_NAME})
     *     when the role has no override and the template gives no valid name; the message names
     *     the role and says to add an override
     */
    public String nameFor(String database, String role) throws SecretWriteException {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(role, "role");
        String override = overrides.get(role);
        if (override != null) {
            return override;
        }
        for (String placeholder : new String[] {"database", "role"}) {
            String value = placeholder.equals("role") ? role : database;
            if (template.uses(placeholder) && !PLACEHOLDER_VALUE.matcher(value).matches()) {
                throw invalid(role, "the " + placeholder + " name " + quote(value) + " holds characters a secret"
                        + " name cannot (a secret name allows only " + NAME_CHARACTERS + ", and credsync"
                        + " keeps '/' out of role and database names)");
            }
        }
        String name = template.render(prefix, database, role);
        if (name.length() > MAX_NAME_LENGTH) {
            throw invalid(role, "the template " + quote(template.toString()) + " gives a name of " + name.length()
                    + " characters, over Secrets Manager's " + MAX_NAME_LENGTH);
        }
        return name;
    }

    /**
     * @return whether Secrets Manager accepts {@code name}: 1 to 512 ASCII letters, digits and
     *     {@code /_+=.@-}
     */
    public static boolean isValidName(String name) {
        return SecretNameTemplate.invalidName(name, false).isEmpty();
    }

    /**
     * A role name for a message: as typed when it is plain (the characters of a secret name but
     * {@code /}), else {@link #quote quoted}, so that a name holding a line break cannot forge a
     * log line.
     */
    public static String shown(String role) {
        return PLACEHOLDER_VALUE.matcher(role).matches() ? role : quote(role);
    }

    /**
     * Quotes a name for a message, showing control and non-ASCII characters as {@code \\uXXXX}:
     * role names come from SQL and may hold anything, line breaks included, which must not forge
     * log lines or vanish from view.
     */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static SecretWriteException invalid(String role, String why) {
        return new SecretWriteException("no valid secret name for role " + quote(role) + ": " + why
                + "; add a per-role override (this role name to a secret name) to the configuration",
                SecretWriteException.INVALID_SECRET_NAME, false, null);
    }

    private static SecretNameTemplate parse(String template) {
        try {
            return SecretNameTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret name template " + quote(template) + " " + e.getMessage(), e);
        }
    }

    private static Map<String, String> checkOverrides(Map<String, String> overrides) {
        Map<String, String> roleBySecret = new HashMap<>();
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            String role = Objects.requireNonNull(override.getKey(), "override role");
            String secret = Objects.requireNonNull(override.getValue(), "override secret name");
            SecretNameTemplate.invalidName(secret, false).ifPresent(problem -> {
                throw new IllegalArgumentException("the secret name override for role " + quote(role) + ", "
                        + quote(secret) + ", " + problem);
            });
            String other = roleBySecret.putIfAbsent(secret, role);
            if (other != null) {
                // Two roles in one secret would overwrite each other's username and password.
                throw new IllegalArgumentException("the secret name overrides for roles " + quote(other) + " and "
                        + quote(role) + " both name the secret " + quote(secret));
            }
        }
        return overrides;
    }
}
