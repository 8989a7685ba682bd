package io.credsync.testing;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * @param binDir where initdb, pg_ctl and postgres are; null for the test run's own PostgreSQL
 *     ({@link TestEnvironment#pgBinDir()}), another for a cluster of another major version
 */
public record ClusterOptions(String preloadLibraries, Map<String, String> settings, Path binDir) {

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
        return new ClusterOptions(DEFAULT_PRELOAD_LIBRARIES, Map.of(), null);
    }

    /** A copy with {@code shared_preload_libraries} set to {@code libraries} ("" for none). */
    public ClusterOptions withPreloadLibraries(String libraries) {
        return new ClusterOptions(libraries, settings, binDir);
    }

    /** A copy with the setting {@code name} set to {@code value}, replacing an earlier value. */
    public ClusterOptions withSetting(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(settings);
        more.put(name, value);
        return new ClusterOptions(preloadLibraries, more, binDir);
    }

    /** A copy whose server programs come from {@code dir}. */
    public ClusterOptions withBinDir(Path dir) {
        return new ClusterOptions(preloadLibraries, settings, Objects.requireNonNull(dir, "dir"));
    }

    /** The program {@code name} ({@code initdb}, {@code pg_ctl}, {@code psql}) of this cluster's PostgreSQL. */
    public Path program(String name) {
        if (binDir == null) {
            return TestEnvironment.pgBinary(name);
        }
        Path program = binDir.resolve(name);
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException(program + " not found: " + binDir + " has no " + name);
        }
        return program;
    }

    /** The module names in {@link #preloadLibraries()}, trimmed, without empty entries. */
    public List<String> preloadLibraryNames() {
        return Arrays.stream(preloadLibraries.split(","))
                .map(String::strip)
                .filter(name -> !name.isEmpty())
                .toList();
    }
}
