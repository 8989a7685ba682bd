package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Installs {@code sql/pgtle/adapter.sql} into a test database that has credsync as the native
 * extension and no pg_tle, against a stand-in {@code pgtle} schema: pg_tle's
 * {@code password_types} type, as pg_tle 1.0.0's script defines it, and a
 * {@code register_feature} that registers nothing. So the adapter's own SQL, which decides who
 * may record a change, runs here although pg_tle cannot be installed; the tests call it as
 * pg_tle would, as the user changing a password. Test databases only: a real pgtle schema
 * belongs to pg_tle. In a pg_tle test run the real pg_tle and adapter serve instead.
 */
public final class PgTleStandIn {

    private static final String STAND_IN = """
            CREATE SCHEMA pgtle;
            CREATE TYPE pgtle.password_types AS ENUM
                ('PASSWORD_TYPE_PLAINTEXT', 'PASSWORD_TYPE_MD5', 'PASSWORD_TYPE_SCRAM_SHA_256');
            CREATE FUNCTION pgtle.register_feature(proc regproc, feature text) RETURNS void
                LANGUAGE sql AS 'SELECT';
            """;

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
        try {
            String adapter = Files.readString(Path.of("sql", "pgtle", "adapter.sql"), StandardCharsets.UTF_8);
            database.postgres().psql(database.name(), STAND_IN + adapter);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sql/pgtle/adapter.sql", e);
        }
    }
}
