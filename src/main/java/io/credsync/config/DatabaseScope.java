package io.credsync.config;

import java.util.List;
import java.util.Objects;

/**
 * Which databases of the cluster one credsync installation covers ({@code database.databases}):
 * every database that accepts connections (the default), or the ones named. The home database,
 * {@code database.name}, is always covered, named or not.
 *
 * <p>Why a setting at all: a password can be changed from any database, so every one needs the
 * hook, and the default is all of them. A list is for the clusters where that is wrong: a test
 * cluster shared by several separate installations, or a database credsync must not touch.
 *
 * <p>Immutable and thread-safe; {@link #names} is never null and empty exactly when {@link #all}.
 *
 * @param all every database that accepts connections, template1 included
 * @param names the databases named, in the order given, without duplicates; empty when {@code all}
 */
public record DatabaseScope(boolean all, List<String> names) {

    /** Every database that accepts connections. */
    public static final DatabaseScope ALL = new DatabaseScope(true, List.of());

    public DatabaseScope {
        names = List.copyOf(Objects.requireNonNull(names, "names"));
        if (all != names.isEmpty()) {
            throw new IllegalArgumentException(all ? "all names no database" : "name at least one database");
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("a database is named twice: " + names);
        }
    }

    /** The named databases only. */
    public static DatabaseScope of(List<String> names) {
        return new DatabaseScope(false, names);
    }

    /** Whether {@code database} is covered; the home database is covered by the caller's rule. */
    public boolean covers(String database) {
        return all || names.contains(database);
    }

    /** As written in the configuration: {@code all}, or the names joined by commas. */
    @Override
    public String toString() {
        return all ? "all" : String.join(",", names);
    }
}
