package io.credsync.config;

import io.credsync.config.Section.Setting;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code secrets} section: what each role's secret is called, how a missing one is created,
 * and what goes into its value besides the password.
 *
 * <p>Immutable and thread-safe. No component is null; the maps and the set are unmodifiable and
 * keep the order they were given in.
 *
 * @param nameTemplate the secret's name, from {@code {prefix}}, {@code {database}} and {@code {role}}
 * @param prefix what {@code {prefix}} stands for; may be empty
 * @param kmsKeyId KMS key (id, ARN or alias) that encrypts a secret credsync creates; absent
 *     means Secrets Manager's default key, {@code aws/secretsmanager}
 * @param description description of a secret credsync creates
 * @param tags tags of a secret credsync creates
 * @param engine the secret's {@code engine}
 * @param host the secret's {@code host}: the one applications connect to (a proxy, a DNS name),
 *     by default {@code database.host}
 * @param port the secret's {@code port}, by default {@code database.port}
 * @param overrides secret names for particular roles, instead of the template's
 * @param allowConflictingRoles roles whose secret credsync writes even when another service owns
 *     it ({@code OwningService}) or rotation is enabled on it; any other role's event then fails
 * @param maxWritesPerSecond the ceiling on secret writes, 0 to 1000; 0 means no limit (see
 *     {@link #DEFAULT_MAX_WRITES_PER_SECOND})
 */
public record SecretsConfig(
        SecretNameTemplate nameTemplate,
        String prefix,
        Optional<String> kmsKeyId,
        String description,
        Map<String, String> tags,
        String engine,
        String host,
        int port,
        Map<String, String> overrides,
        Set<String> allowConflictingRoles,
        int maxWritesPerSecond) {

    static final List<String> KEYS = List.of("name_template", "prefix", "kms_key_id", "description",
            "tags", "engine", "host", "port", "overrides", "allow_conflicting_roles", "max_writes_per_second");

    /**
     * Secrets Manager allows 50 PutSecretValue and UpdateSecret calls a second per Region, shared
     * by every application of the account: credsync takes at most a fifth of it by default, and a
     * burst over a hundred roles still reaches every secret in about ten seconds.
     */
    public static final int DEFAULT_MAX_WRITES_PER_SECOND = 10;
    private static final int MAX_WRITES_PER_SECOND_LIMIT = 1000;

    /** PostgreSQL's longest name (NAMEDATALEN - 1): a longer entry could never be a role's name. */
    private static final int MAX_ROLE_NAME_BYTES = 63;

    static final String DEFAULT_TEMPLATE = "{prefix}{database}/{role}";
    static final String DEFAULT_DESCRIPTION = "Managed by credsync: kept in step with the database role's password";

    /** Secrets Manager's tag rules: letters, digits, spaces and {@code _.:/=+-@}. */
    private static final Pattern TAG_CHARACTERS = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    public SecretsConfig {
        Objects.requireNonNull(nameTemplate, "nameTemplate");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(kmsKeyId, "kmsKeyId");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(host, "host");
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        allowConflictingRoles = Collections.unmodifiableSet(new LinkedHashSet<>(allowConflictingRoles));
        if (maxWritesPerSecond < 0 || maxWritesPerSecond > MAX_WRITES_PER_SECOND_LIMIT) {
            throw new IllegalArgumentException("maxWritesPerSecond must be between 0 and "
                    + MAX_WRITES_PER_SECOND_LIMIT + ": " + maxWritesPerSecond);
        }
    }

    /**
     * Reads and checks the section; null if anything in it is wrong (reported to {@code s}).
     *
     * @param database the section's defaults for {@code host} and {@code port}; null if it failed
     */
    static SecretsConfig read(Section s, DatabaseConfig database) {
        SecretNameTemplate template = template(s);
        String prefix = s.text("prefix", "credsync/");
        SecretNameTemplate.invalidName(prefix, true).ifPresent(p -> s.problem(s.scalar("prefix").orElseThrow(), p));
        Optional<String> kmsKeyId = Optional.ofNullable(s.nonBlank("kms_key_id", null));
        String description = s.text("description", DEFAULT_DESCRIPTION);
        if (description.length() > 2048) {
            s.problem(s.scalar("description").orElseThrow(),
                    "must be at most 2048 characters, got " + description.length());
        }
        Map<String, String> tags = tags(s);
        String engine = s.nonBlank("engine", "postgres");
        String host = s.nonBlank("host", database == null ? null : database.host());
        int port = s.isSet("port") || database == null ? s.integer("port", 0, 1, 65535) : database.port();
        Map<String, String> overrides = overrides(s);
        Set<String> allowConflictingRoles = allowConflictingRoles(s);
        int maxWritesPerSecond = s.integer("max_writes_per_second", DEFAULT_MAX_WRITES_PER_SECOND, 0,
                MAX_WRITES_PER_SECOND_LIMIT);
        if (s.failed() || host == null) {
            return null; // a null host means the database section failed, and said why
        }
        return new SecretsConfig(template, prefix, kmsKeyId, description, tags, engine, host, port, overrides,
                allowConflictingRoles, maxWritesPerSecond);
    }

    private static SecretNameTemplate template(Section s) {
        Optional<Setting> setting = s.scalar("name_template");
        try {
            return SecretNameTemplate.parse(setting.map(Setting::text).orElse(DEFAULT_TEMPLATE));
        } catch (IllegalArgumentException e) {
            s.problem(setting.orElseThrow(), e.getMessage());
            return null;
        }
    }

    private static Map<String, String> tags(Section s) {
        Map<String, String> tags = s.map("tags");
        if (tags.size() > 50) {
            s.problem("tags", "at most 50 tags, got " + tags.size());
        }
        tags.forEach((key, value) -> {
            String problem = null;
            if (key.isEmpty() || key.length() > 128 || value.length() > 256) {
                problem = "keys must be 1 to 128 characters and values at most 256";
            } else if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
                problem = "the prefix aws: is reserved for AWS's own tags";
            } else if (!TAG_CHARACTERS.matcher(key).matches() || !TAG_CHARACTERS.matcher(value).matches()) {
                problem = "may use letters, digits, spaces and _.:/=+-@ only";
            }
            if (problem != null) {
                s.problem("tags." + key, problem);
            }
        });
        return tags;
    }

    private static Set<String> allowConflictingRoles(Section s) {
        String key = "allow_conflicting_roles";
        Set<String> roles = new LinkedHashSet<>();
        for (String role : s.list(key)) {
            if (role.isEmpty()) {
                s.problem(key, "an entry is empty; each must be a role name");
            } else if (role.getBytes(StandardCharsets.UTF_8).length > MAX_ROLE_NAME_BYTES) {
                s.problem(key, role + " is longer than " + MAX_ROLE_NAME_BYTES
                        + " bytes, PostgreSQL's limit for a role name, so no role has that name");
            } else if (!roles.add(role)) {
                s.problem(key, role + " is given twice");
            }
        }
        return roles;
    }

    private static Map<String, String> overrides(Section s) {
        Map<String, String> overrides = s.map("overrides");
        overrides.forEach((role, name) -> SecretNameTemplate.invalidName(name, false)
                .ifPresent(p -> s.problem("overrides." + role, p)));
        return overrides;
    }
}
