package io.credsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Installs {@code sql/pgtle/adapter.sql} into a test database that has credsync as the native
 * extension and no pg_tle, against the stand-in {@code pgtle} schema of the test resource
 * {@code pgtle-stand-in.sql} (pg_tle's {@code password_types} type and feature registration,
 * with pg_tle's names and signatures), which {@code UpgradeIT} uses too. So the adapter's own SQL, which decides who
 * may record a change, runs here although pg_tle cannot be installed; the tests call it as
 * pg_tle would, as the user changing a password. Test databases only: a real pgtle schema
 * belongs to pg_tle. In a pg_tle test run the real pg_tle and adapter serve instead.
 */
public final class PgTleStandIn {

    private PgTleStandIn() {
    }

    /**
     * Adds the stand-in schema and the adapter to {@code database}; in a pg_tle test run
     * ({@code CREDSYNC_TEST_INSTALL=pgtle}) nothing, since pg_tle's install put the real adapter there.
     */
    public static void install(CredsyncDatabase database) {
        if (CredsyncDatabase.InstallMode.current() == CredsyncDatabase.InstallMode.PGTLE) {
            return;
        }
        try (InputStream standIn = PgTleStandIn.class.getResourceAsStream("/pgtle-stand-in.sql")) {
            if (standIn == null) {
                throw new IllegalStateException("the test resource pgtle-stand-in.sql is missing");
            }
            String adapter = Files.readString(Path.of("sql", "pgtle", "adapter.sql"), StandardCharsets.UTF_8);
            database.postgres().psql(database.name(),
                    new String(standIn.readAllBytes(), StandardCharsets.UTF_8) + adapter);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the pg_tle stand-in or sql/pgtle/adapter.sql", e);
        }
    }
}
