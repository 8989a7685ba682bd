package io.credsync.install;

import io.credsync.config.DatabaseScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The databases of the cluster, as one credsync installation sees them: which it covers besides
 * its home database, and which it cannot reach. Stateless; thread-safe.
 */
public final class ClusterDatabases {

    /**
     * The databases of the cluster that accept connections, template0 excepted (it never does),
     * by name.
     *
     * @param connectable those the connection's user may connect to
     * @param unreachable those it may not (RDS's {@code rdsadmin}, say): credsync can install
     *     nothing there, and a user who can connect there may change passwords unrecorded
     */
    public record Listing(List<String> connectable, List<String> unreachable) {
        public Listing {
            connectable = List.copyOf(connectable);
            unreachable = List.copyOf(unreachable);
        }
    }

    /**
     * A database the consumer streams from.
     *
     * @param name its name
     * @param oid its OID, which names its slot: unlike a name, always a valid part of a slot name
     */
    public record Streamed(String name, long oid) {
        public Streamed {
            Objects.requireNonNull(name, "name");
        }

        /**
         * Its slot's name: slot names are cluster-wide, so each database's differs, and an OID,
         * unlike a database name, always fits one. (The home database's slot is {@code base}.)
         */
        public String slotName(String base) {
            return base + "_" + oid;
        }

        /** Whether the credsync extension is installed there. */
        public static boolean hasCredsync(Connection connection) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'credsync')");
                    ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    private ClusterDatabases() {
    }

    /**
     * The databases besides {@code home} that the consumer streams from: those {@code scope} covers
     * that accept connections, may be connected to and are not templates, by name. Not templates:
     * a session on template1, a replication connection included, makes CREATE DATABASE fail, and
     * capture refuses a managed role's change made there instead.
     */
    public static List<Streamed> streamedOthers(Connection connection, DatabaseScope scope, String home)
            throws SQLException {
        List<Streamed> databases = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT d.datname, d.oid::bigint FROM pg_catalog.pg_database d"
                        + " WHERE d.datallowconn AND NOT d.datistemplate AND d.datname <> ?"
                        + " AND pg_catalog.has_database_privilege(d.oid, 'CONNECT') ORDER BY d.datname")) {
            statement.setString(1, home);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (scope.covers(rows.getString(1))) {
                        databases.add(new Streamed(rows.getString(1), rows.getLong(2)));
                    }
                }
            }
        }
        return databases;
    }

    /**
     * The OIDs of every database of the cluster, whatever its state: one missing is dropped (a
     * database created later under the same name has another OID).
     */
    public static Set<Long> oids(Connection connection) throws SQLException {
        Set<Long> oids = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT d.oid::bigint FROM pg_catalog.pg_database d");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                oids.add(rows.getLong(1));
            }
        }
        return oids;
    }

    /** Every database that accepts connections, split by whether this connection's user may connect. */
    public static Listing list(Connection connection) throws SQLException {
        List<String> connectable = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT d.datname, pg_catalog.has_database_privilege(d.oid, 'CONNECT')"
                        + " FROM pg_catalog.pg_database d WHERE d.datallowconn ORDER BY d.datname");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                (rows.getBoolean(2) ? connectable : unreachable).add(rows.getString(1));
            }
        }
        return new Listing(connectable, unreachable);
    }

    /**
     * The databases besides {@code home} that {@code scope} covers, in name order: with
     * {@link DatabaseScope#ALL}, every connectable one (template1 among them, so that databases
     * created later start with credsync); else the named ones, whether they exist or not (a
     * connection to a missing one fails, naming it).
     */
    public static List<String> others(Listing listing, DatabaseScope scope, String home) {
        Objects.requireNonNull(home, "home");
        if (scope.all()) {
            return listing.connectable().stream().filter(d -> !d.equals(home)).toList();
        }
        return scope.names().stream().filter(d -> !d.equals(home)).sorted().toList();
    }
}
