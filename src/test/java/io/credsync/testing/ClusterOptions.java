package io.credsync.testing;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link PostgresCluster#start} sets up a cluster: an immutable value.
 *
 * @param preloadLibraries the value of {@code shared_preload_libraries}, a comma-separated list
 *     of module names; empty for none. Default {@value #DEFAULT_PRELOAD_LIBRARIES}.
 * @param settings further {@code postgresql.conf} settings, name to value, written after (and so
 *     overriding) the harness's own; values are plain text, quoted by the harness. Kept in order.
 */
public record ClusterOptions(String preloadLibraries, Map<String, String> settings) {

    /** The native module that captures password changes; see sql/native. */
    public static final String DEFAULT_PRELOAD_LIBRARIES = "credsync_passcheck";

    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    /** Validates and copies; no argument may be null. */
    public ClusterOptions {
        Objects.requireNonNull(preloadLibraries, "preloadLibraries");
        Objects.requireNonNull(settings, "settings");
        Map<String, String> copy = new LinkedHashMap<>();
        settings.forEach((name, value) -> {
            if (!SETTING_NAME.matcher(Objects.requireNonNull(name, "setting name")).matches()) {
                throw new IllegalArgumentException("not a setting name: " + name);
            }
            copy.put(name, Objects.requireNonNull(value, () -> "value of " + name));
        });
        settings = Collections.unmodifiableMap(copy);
    }

    /** The defaults: {@value #DEFAULT_PRELOAD_LIBRARIES} preloaded, no further settings. */
    public static ClusterOptions defaults() {
        return new ClusterOptions(DEFAULT_PRELOAD_LIBRARIES, Map.of());
    }

    /** A copy with {@code shared_preload_libraries} set to {@code libraries} ("" for none). */
    public ClusterOptions withPreloadLibraries(String libraries) {
        return new ClusterOptions(libraries, settings);
    }

    /** A copy with the setting {@code name} set to {@code value}, replacing an earlier value. */
    public ClusterOptions withSetting(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(settings);
        more.put(name, value);
        return new ClusterOptions(preloadLibraries, more);
    }

    /** The module names in {@link #preloadLibraries()}, trimmed, without empty entries. */
    public List<String> preloadLibraryNames() {
        return Arrays.stream(preloadLibraries.split(","))
                .map(String::strip)
                .filter(name -> !name.isEmpty())
                .toList();
    }
}
