package io.credsync.install;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What install and doctor need to know about the server and the database, read once by
 * {@link ServerProbe}: an immutable snapshot, thread-safe. Pure methods decide from it, so that
 * the decisions are unit-tested without a server.
 *
 * @param serverVersionNum {@code server_version_num}, e.g. 150008
 * @param database the current database
 * @param currentUser the role the session runs as
 * @param superuser whether that role is a superuser
 * @param settings the settings that matter here, by name, as far as this role may read them
 *     ({@code pg_settings} hides {@code shared_preload_libraries} from a role that is neither a
 *     superuser nor a member of {@code pg_read_all_settings}); a module's settings are listed
 *     only while it is loaded
 * @param installedVersion the version of the credsync extension in this database, if created
 * @param fileDefaultVersion the {@code default_version} of a credsync extension installed as
 *     files (the native install), if there are such files
 * @param pgTleAvailable whether the pg_tle extension can be created
 * @param pgTleVersion the version of pg_tle in this database, if created
 * @param tleVersions the versions of credsync that pg_tle defines in this database
 * @param rdsReplicationRole whether the role {@code rds_replication} exists (RDS and Aurora)
 */
public record ServerFacts(
        int serverVersionNum,
        String database,
        String currentUser,
        boolean superuser,
        Map<String, Setting> settings,
        Optional<String> installedVersion,
        Optional<String> fileDefaultVersion,
        boolean pgTleAvailable,
        Optional<String> pgTleVersion,
        List<String> tleVersions,
        boolean rdsReplicationRole) {

    /** The settings {@link ServerProbe} reads. */
    static final List<String> SETTING_NAMES = List.of("shared_preload_libraries", "wal_level",
            "rds.logical_replication", "max_replication_slots", "max_wal_senders", "max_slot_wal_keep_size",
            "pgtle.enable_password_check", "pgtle.passcheck_db_name", "credsync_passcheck.require",
            "credsync_passcheck.enabled", "log_min_error_statement");

    /**
     * One row of {@code pg_settings}.
     *
     * @param value {@code setting}, in the setting's base unit
     * @param unit that unit ({@code MB}, {@code kB}, ...), or empty
     */
    public record Setting(String value, String unit) {
        public Setting {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(unit, "unit");
        }

        /** The value with its unit, e.g. {@code 4096MB}; as set, without the unit when there is none. */
        public String display() {
            return value + unit;
        }
    }

    public ServerFacts {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(currentUser, "currentUser");
        settings = Map.copyOf(settings);
        Objects.requireNonNull(installedVersion, "installedVersion");
        Objects.requireNonNull(fileDefaultVersion, "fileDefaultVersion");
        Objects.requireNonNull(pgTleVersion, "pgTleVersion");
        tleVersions = List.copyOf(tleVersions);
    }

    /** A setting, if it exists and this role may read it. */
    public Optional<Setting> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    /** The value of a setting, if it exists and this role may read it. */
    public Optional<String> value(String name) {
        return setting(name).map(Setting::value);
    }

    /** {@code shared_preload_libraries} as a list, if this role may read it. */
    public Optional<List<String>> preloadLibraries() {
        return value("shared_preload_libraries").map(ServerFacts::splitList);
    }

    /**
     * Whether {@code kind}'s module is preloaded. From {@code shared_preload_libraries} when this
     * role may read it; else from whether the module's settings exist in this session, which they
     * do only once the module is loaded, and both modules must be preloaded to work.
     */
    public boolean preloaded(InstallKind kind) {
        Optional<List<String>> libraries = preloadLibraries();
        if (libraries.isPresent()) {
            return libraries.get().contains(kind.module());
        }
        return settings.containsKey(kind == InstallKind.NATIVE ? "credsync_passcheck.require"
                : "pgtle.enable_password_check");
    }

    /** How the credsync extension in this database was installed, if it is. */
    public Optional<InstallKind> installedKind() {
        if (installedVersion.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(tleVersions.isEmpty() ? InstallKind.NATIVE : InstallKind.PGTLE);
    }

    /**
     * Whether the native extension's files are installed. pg_tle refuses to define an extension
     * whose control file exists, so files and a pg_tle definition exclude each other: should a
     * pg_tle version list its extensions in {@code pg_available_extensions}, the definition
     * tells them apart.
     */
    public boolean nativeFilesAvailable() {
        return fileDefaultVersion.isPresent() && tleVersions.isEmpty();
    }

    /** Whether this looks like RDS or Aurora, which replace some settings with {@code rds.*} ones. */
    public boolean rds() {
        return rdsReplicationRole || settings.containsKey("rds.logical_replication");
    }

    /** Splits a list setting such as shared_preload_libraries: commas, spaces, optional quotes. */
    static List<String> splitList(String value) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .map(item -> item.length() >= 2 && item.startsWith("\"") && item.endsWith("\"")
                        ? item.substring(1, item.length() - 1) : item)
                .filter(item -> !item.isEmpty())
                .toList();
    }
}
