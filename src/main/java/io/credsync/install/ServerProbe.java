package io.credsync.install;

import io.credsync.install.ServerFacts.Setting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@link ServerFacts} from the catalog. Only reads, and only what any role may read, so
 * that doctor can run as the consumer's role and install can probe before it changes anything.
 * Stateless and thread-safe; uses only the connection it is given.
 */
public final class ServerProbe {

    private ServerProbe() {
    }

    /** Reads the facts; the connection may be in a transaction, which this leaves open. */
    public static ServerFacts read(Connection connection) throws SQLException {
        String sql = "SELECT pg_catalog.current_setting('server_version_num')::int,"
                + " pg_catalog.current_database(), current_user,"
                + " (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user),"
                + " (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'credsync'),"
                + " (SELECT a.default_version FROM pg_catalog.pg_available_extensions a WHERE a.name = 'credsync'),"
                + " EXISTS (SELECT FROM pg_catalog.pg_available_extensions a WHERE a.name = 'pg_tle'),"
                + " (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_tle'),"
                + " EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = 'rds_replication')";
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            row.next();
            Optional<String> pgTleVersion = Optional.ofNullable(row.getString(8));
            return new ServerFacts(row.getInt(1), row.getString(2), row.getString(3), row.getBoolean(4),
                    settings(connection), Optional.ofNullable(row.getString(5)), Optional.ofNullable(row.getString(6)),
                    row.getBoolean(7), pgTleVersion,
                    pgTleVersion.isPresent() ? tleVersions(connection) : List.of(), row.getBoolean(9));
        }
    }

    /**
     * From {@code pg_settings} rather than {@code current_setting()}: the view leaves out what
     * this role may not read instead of failing, which would abort install's transaction.
     */
    private static Map<String, Setting> settings(Connection connection) throws SQLException {
        Map<String, Setting> settings = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT s.name, s.setting, coalesce(s.unit, '') FROM pg_catalog.pg_settings s WHERE s.name = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("text", ServerFacts.SETTING_NAMES.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    settings.put(rows.getString(1), new Setting(rows.getString(2), rows.getString(3)));
                }
            }
        }
        return settings;
    }

    /** pg_tle's definitions of credsync; {@code available_extension_versions()} is PUBLIC's to call. */
    private static List<String> tleVersions(Connection connection) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT v.version FROM pgtle.available_extension_versions() v WHERE v.name = 'credsync'");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                versions.add(rows.getString(1));
            }
        }
        versions.sort(ExtensionVersions.ORDER);
        return versions;
    }
}
