package io.credsync.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One section of the configuration ({@code database}, {@code aws}, ...) as the section records
 * read it: each key's value comes from its environment variable
 * ({@code CREDSYNC_DATABASE_HOST}) if that is set and not empty, else from the YAML file, else
 * the caller's default. Problems go to a list shared by all sections, each prefixed with the key
 * (and, when the value came from the environment, the variable's name), so that the loader can
 * report every problem at once rather than the first.
 *
 * <p>An empty environment variable counts as unset, because container definitions often set a
 * variable to "" to mean "not given"; an empty string in the YAML file is a value (a
 * {@code prefix} may well be empty), and a key with no value ({@code kms_key_id:}) is unset.
 *
 * <p>Not thread-safe: used by one thread while loading, then dropped.
 */
final class Section {
    private final String name;
    private final List<String> keys;
    private final ObjectNode yaml;
    private final Map<String, String> environment;
    private final List<String> problems;
    private int ownProblems;

    /** A value of one key, with where it came from. {@code variable} is null for the file. */
    record Setting(String path, String text, String variable) {
    }

    /**
     * @param keys every key the section knows, in snake_case; any other key is refused
     * @param yaml the section's mapping in the file, or null when the file has none
     */
    Section(String name, List<String> keys, ObjectNode yaml, Map<String, String> environment,
            List<String> problems) {
        this.name = name;
        this.keys = List.copyOf(keys);
        this.yaml = yaml != null ? yaml : JsonNodeFactory.instance.objectNode();
        this.environment = environment;
        this.problems = problems;
    }

    /** @return the section's environment variable for {@code key}, e.g. CREDSYNC_DATABASE_HOST */
    String variable(String key) {
        return "CREDSYNC_" + name.toUpperCase(Locale.ROOT) + "_" + key.toUpperCase(Locale.ROOT);
    }

    /** @return {@code section.key} */
    String path(String key) {
        return name + "." + key;
    }

    /** @return whether any problem was reported for this section */
    boolean failed() {
        return ownProblems > 0;
    }

    /**
     * Reports a problem with a key, or with an entry of a map key ({@code tags.team}), naming
     * the environment variable if the key's value came from one.
     */
    void problem(String key, String message) {
        int dot = key.indexOf('.');
        String variable = variable(dot < 0 ? key : key.substring(0, dot));
        String value = environment.get(variable);
        add(path(key) + ": " + message
                + (value != null && !value.isEmpty() ? " (from environment variable " + variable + ")" : ""));
    }

    /** Reports a problem with a value, naming the environment variable if it came from one. */
    void problem(Setting setting, String message) {
        add(setting.path() + ": " + message
                + (setting.variable() != null ? " (from environment variable " + setting.variable() + ")" : ""));
    }

    private void add(String problem) {
        problems.add(problem);
        ownProblems++;
    }

    /** @return the environment this section reads from (for keys that name other variables) */
    Map<String, String> environment() {
        return environment;
    }

    /**
     * @return the key's text like {@link #text}, but reporting nothing: for reading a key twice,
     *     as the loader does with {@code password_env} to know which variable is not a typo
     */
    Optional<String> peek(String key) {
        String value = environment.get(variable(declared(key)));
        if (value != null && !value.isEmpty()) {
            return Optional.of(value);
        }
        JsonNode node = yaml.get(key);
        return node != null && node.isValueNode() && !node.isNull() ? Optional.of(node.asText()) : Optional.empty();
    }

    /** @return whether the key has a value in the environment or the file */
    boolean isSet(String key) {
        String value = environment.get(variable(declared(key)));
        if (value != null && !value.isEmpty()) {
            return true;
        }
        JsonNode node = yaml.get(key);
        return node != null && !node.isNull();
    }

    /** @return the key's value as text, or empty if unset (or if it is not a single value) */
    Optional<Setting> scalar(String key) {
        String variable = variable(declared(key));
        String value = environment.get(variable);
        if (value != null && !value.isEmpty()) {
            return Optional.of(new Setting(path(key), value, variable));
        }
        JsonNode node = yaml.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            problem(key, "must be a single value, not " + (node.isArray() ? "a list" : "a mapping"));
            return Optional.empty();
        }
        return Optional.of(new Setting(path(key), node.asText(), null));
    }

    /** @return the key's text, or {@code fallback} (which may be null) if unset */
    String text(String key, String fallback) {
        return scalar(key).map(Setting::text).orElse(fallback);
    }

    /** Like {@link #text}, refusing an empty or blank value. */
    String nonBlank(String key, String fallback) {
        Optional<Setting> setting = scalar(key);
        if (setting.isPresent() && setting.get().text().isBlank()) {
            problem(setting.get(), "must not be empty");
            return fallback;
        }
        return setting.map(Setting::text).orElse(fallback);
    }

    /** @return the key's non-blank text, or null after reporting it as required */
    String required(String key) {
        String value = nonBlank(key, null);
        if (value == null && !failed(key)) {
            problem(key, "required; set it in the file or with " + variable(key));
        }
        return value;
    }

    private boolean failed(String key) {
        String prefix = path(key) + ":";
        return problems.stream().anyMatch(p -> p.startsWith(prefix));
    }

    /** @return the key's whole number within [min, max], or {@code fallback} */
    int integer(String key, int fallback, int min, int max) {
        Optional<Setting> setting = scalar(key);
        if (setting.isEmpty()) {
            return fallback;
        }
        BigInteger value;
        try {
            value = new BigInteger(setting.get().text().strip());
        } catch (NumberFormatException e) {
            problem(setting.get(), "must be a whole number, got " + setting.get().text());
            return fallback;
        }
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(setting.get(), "must be between " + min + " and " + max + ", got " + value);
            return fallback;
        }
        return value.intValueExact();
    }

    /** @return the key's truth value ({@code true}/{@code false}, any case), or {@code fallback} */
    boolean bool(String key, boolean fallback) {
        Optional<Setting> setting = scalar(key);
        if (setting.isEmpty()) {
            return fallback;
        }
        String text = setting.get().text().strip();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        problem(setting.get(), "must be true or false, got " + text);
        return fallback;
    }

    /** @return the key's duration, which must be more than zero, or {@code fallback} */
    Duration duration(String key, Duration fallback) {
        Optional<Setting> setting = scalar(key);
        if (setting.isEmpty()) {
            return fallback;
        }
        try {
            Duration value = Durations.parse(setting.get().text());
            if (value.isZero()) {
                problem(setting.get(), "must be more than zero, got " + setting.get().text());
                return fallback;
            }
            return value;
        } catch (IllegalArgumentException e) {
            problem(setting.get(), e.getMessage());
            return fallback;
        }
    }

    /**
     * A map: a YAML mapping of single values, or {@code k=v,k2=v2} in the environment (which
     * replaces the file's mapping as a whole rather than merging into it, so that an operator
     * can also remove entries).
     *
     * @return the entries in the order given; empty if unset; modifiable (a copy)
     */
    Map<String, String> map(String key) {
        String variable = variable(declared(key));
        String value = environment.get(variable);
        if (value != null && !value.isEmpty()) {
            return parsePairs(new Setting(path(key), value, variable));
        }
        Map<String, String> result = new LinkedHashMap<>();
        JsonNode node = yaml.get(key);
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isObject()) {
            problem(key, "must be a mapping of names to values");
            return result;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                problem(key + "." + entry.getKey(), "must be a single value");
            } else {
                result.put(entry.getKey(), entry.getValue().asText());
            }
        }
        return result;
    }

    /**
     * A list of single values: a YAML sequence, or {@code a,b,c} in the environment (which, like
     * a map, replaces the file's list as a whole). Entries are stripped; blank entries in the
     * environment are skipped (a trailing comma is harmless), an empty one in the file is kept
     * for the caller to refuse.
     *
     * @return the entries in the order given; empty if unset; modifiable (a copy)
     */
    List<String> list(String key) {
        String variable = variable(declared(key));
        String value = environment.get(variable);
        List<String> result = new ArrayList<>();
        if (value != null && !value.isEmpty()) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    result.add(item.strip());
                }
            }
            return result;
        }
        JsonNode node = yaml.get(key);
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isArray()) {
            problem(key, "must be a list (in YAML, one \"- name\" line each, or [a, b])");
            return result;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isValueNode() || item.isNull()) {
                problem(key, "entry " + (i + 1) + " must be a single value");
            } else {
                result.add(item.asText().strip());
            }
        }
        return result;
    }

    private Map<String, String> parsePairs(Setting setting) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : setting.text().split(",")) {
            if (pair.isBlank()) {
                continue; // a trailing comma is harmless
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? "" : pair.substring(0, eq).strip();
            if (k.isEmpty()) {
                problem(setting, "must be key=value pairs separated by commas, got " + pair.strip());
            } else if (result.put(k, pair.substring(eq + 1).strip()) != null) {
                problem(setting, k + " is given twice");
            }
        }
        return result;
    }

    /**
     * Refuses keys the section does not know: in the file, and in environment variables that
     * start with this section's prefix (except those in {@code allowed}, such as the variable
     * named by {@code database.password_env}). A typo must not silently mean "use the default".
     */
    void rejectUnknown(Set<String> allowed) {
        for (Map.Entry<String, JsonNode> entry : yaml.properties()) {
            String key = entry.getKey();
            if (!keys.contains(key)) {
                add(path(key) + ": unknown key" + suggestion(key));
            }
        }
        String prefix = "CREDSYNC_" + name.toUpperCase(Locale.ROOT) + "_";
        environment.keySet().stream()
                .filter(v -> v.startsWith(prefix) && !allowed.contains(v))
                .filter(v -> keys.stream().noneMatch(k -> variable(k).equals(v)))
                .sorted()
                .forEach(v -> {
                    String key = v.substring(prefix.length()).toLowerCase(Locale.ROOT);
                    add(path(key) + ": unknown key (from environment variable " + v
                            + KeySuggestions.closest(key, keys)
                                    .map(k -> "; did you mean " + variable(k) + "?").orElse("")
                            + ")");
                });
    }

    private String suggestion(String unknown) {
        return KeySuggestions.closest(unknown, keys).map(k -> " (did you mean " + path(k) + "?)").orElse("");
    }

    private String declared(String key) {
        if (!keys.contains(key)) {
            throw new IllegalArgumentException(path(key) + " is not declared in the section's keys");
        }
        return key;
    }
}
