package io.credsync.install;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes another database's encryption keys and managed patterns those of the home database, the
 * one place where they are defined: a password change is captured in the database it is made
 * from, with that database's key and patterns, so every database must hold the same.
 *
 * <p>Keys are only added (an old key stays registered, inactive: events encrypted to it still
 * decrypt) and the home's active key is made active; patterns are added and removed. Not
 * thread-safe; one per copy.
 */
public final class ClusterCopy {

    /** The keys and patterns of one database. */
    record Definitions(Map<String, String> keys, Optional<String> activeKid, Set<String> patterns) {

        static Definitions read(Connection connection) throws SQLException {
            Map<String, String> keys = new LinkedHashMap<>();
            Optional<String> active = Optional.empty();
            // Inactive keys first, so that adding them in this order leaves the active one active.
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT k.kid, k.public_key, k.active FROM credsync.encryption_key k ORDER BY k.active, k.added_at, k.kid");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.put(rows.getString(1), rows.getString(2));
                    if (rows.getBoolean(3)) {
                        active = Optional.of(rows.getString(1));
                    }
                }
            }
            Set<String> patterns = new TreeSet<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT m.pattern FROM credsync.managed_role m");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    patterns.add(rows.getString(1));
                }
            }
            return new Definitions(keys, active, patterns);
        }
    }

    /**
     * What differs between the home and another database, as lines to print; empty when they
     * agree.
     */
    public static List<String> differences(Connection home, Connection other) throws SQLException {
        Definitions want = Definitions.read(home);
        Definitions have = Definitions.read(other);
        List<String> lines = new ArrayList<>();
        want.keys().keySet().stream().filter(k -> !have.keys().containsKey(k))
                .forEach(k -> lines.add("key " + k + " missing"));
        if (want.activeKid().isPresent() && !want.activeKid().equals(have.activeKid())) {
            lines.add("active key " + have.activeKid().orElse("(none)") + " instead of " + want.activeKid().get());
        }
        want.patterns().stream().filter(p -> !have.patterns().contains(p))
                .forEach(p -> lines.add("pattern " + p + " missing"));
        have.patterns().stream().filter(p -> !want.patterns().contains(p))
                .forEach(p -> lines.add("pattern " + p + " not in the home database"));
        return lines;
    }

    private ClusterCopy() {
    }

    /**
     * Copies the home's keys and patterns into {@code other}, in one transaction there, and
     * returns a line per change (planned, in a dry run, where nothing is changed).
     */
    public static List<String> copy(Connection home, Connection other, boolean dryRun) throws SQLException {
        Definitions want = Definitions.read(home);
        // In a dry run, install has not created the schema there yet.
        Definitions have = dryRun && !ConsumerPrivileges.schemaExists(other)
                ? new Definitions(Map.of(), Optional.empty(), Set.of())
                : Definitions.read(other);
        List<String> lines = new ArrayList<>();
        String verb = dryRun ? "would " : "";
        boolean committed = false;
        other.setAutoCommit(false);
        try {
            for (Map.Entry<String, String> key : want.keys().entrySet()) {
                boolean missing = !have.keys().containsKey(key.getKey());
                boolean activate = want.activeKid().filter(key.getKey()::equals).isPresent()
                        && !want.activeKid().equals(have.activeKid());
                if (!missing && !activate) {
                    continue;
                }
                // add_key refuses a kid registered with another public key (SQLState 23505).
                if (!dryRun) {
                    try (PreparedStatement statement = other.prepareStatement("SELECT credsync.add_key(?, ?)")) {
                        statement.setString(1, key.getKey());
                        statement.setString(2, key.getValue());
                        statement.execute();
                    }
                }
                lines.add(verb + (missing ? "add key " : "activate key ") + key.getKey());
            }
            if (!want.keys().isEmpty() && want.activeKid().isEmpty() && have.activeKid().isPresent() && !dryRun) {
                try (PreparedStatement statement = other.prepareStatement(
                        "UPDATE credsync.encryption_key SET active = false WHERE active")) {
                    statement.executeUpdate();
                }
            }
            // The table directly, not manage()/unmanage(): those also change the cluster-wide copy,
            // which the home database keeps.
            for (String pattern : want.patterns()) {
                if (!have.patterns().contains(pattern)) {
                    execute(other, dryRun, "INSERT INTO credsync.managed_role (pattern) VALUES (?) ON CONFLICT DO NOTHING",
                            pattern);
                    lines.add(verb + "manage " + pattern);
                }
            }
            for (String pattern : have.patterns()) {
                if (!want.patterns().contains(pattern)) {
                    execute(other, dryRun, "DELETE FROM credsync.managed_role WHERE pattern = ?", pattern);
                    lines.add(verb + "unmanage " + pattern + " (not managed in the home database)");
                }
            }
            if (dryRun) {
                other.rollback();
            } else {
                other.commit();
            }
            committed = true;
            return lines;
        } finally {
            if (!committed) {
                rollbackQuietly(other);
            }
            other.setAutoCommit(true);
        }
    }

    /**
     * Adds the home's patterns to the cluster-wide copy that credsync_passcheck reads in databases
     * without credsync (a 0.1.0 install's patterns, say); nothing on pg_tle. True if it changed.
     */
    public static boolean publishPatterns(Connection home, boolean dryRun) throws SQLException {
        try (PreparedStatement statement = home.prepareStatement(
                "SELECT pg_catalog.to_regprocedure('credsync.cluster_patterns()') IS NULL");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            if (rows.getBoolean(1)) {
                return false; // an install older than the cluster-wide copy, or a dry run before any
            }
        }
        Set<String> missing = new TreeSet<>(Definitions.read(home).patterns());
        try (PreparedStatement statement = home.prepareStatement(
                "SELECT p FROM pg_catalog.unnest(credsync.cluster_patterns()) AS p");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                missing.remove(rows.getString(1));
            }
        }
        boolean nativeModule;
        try (PreparedStatement statement = home.prepareStatement(
                "SELECT EXISTS (SELECT FROM pg_catalog.pg_settings WHERE name = 'credsync_passcheck.managed_roles')");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            nativeModule = rows.getBoolean(1);
        }
        if (missing.isEmpty() || !nativeModule) {
            return false;
        }
        if (!dryRun) {
            try (PreparedStatement statement = home.prepareStatement(
                    "SELECT credsync.publish_patterns(?::text[], '{}')")) {
                statement.setArray(1, home.createArrayOf("text", missing.toArray()));
                statement.execute();
            }
        }
        return true;
    }

    private static void execute(Connection connection, boolean dryRun, String sql, String value) throws SQLException {
        if (dryRun) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            statement.executeUpdate();
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is broken; the server rolls the transaction back when it notices.
        }
    }
}
