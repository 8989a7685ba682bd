package io.credsync.doctor;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Does the configured publication exist and publish inserts into {@code credsync.outbox}? The
 * consumer's slot streams through it; the extension creates it, but a publication is not a
 * member of the extension and can be dropped or altered on its own.
 */
final class PublicationCheck implements Check {

    @Override
    public String name() {
        return "publication";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        context.requireExtension();
        String publication = context.config().replication().publication();
        String create = "CREATE PUBLICATION " + publication + " FOR TABLE credsync.outbox WITH (publish = 'insert')";
        try (PreparedStatement statement = context.connection().prepareStatement(
                "SELECT p.pubinsert, EXISTS (SELECT FROM pg_catalog.pg_publication_tables t"
                        + " WHERE t.pubname = p.pubname AND t.schemaname = 'credsync' AND t.tablename = 'outbox')"
                        + " FROM pg_catalog.pg_publication p WHERE p.pubname = ?")) {
            statement.setString(1, publication);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return CheckResult.fail(publication + " does not exist", create);
                }
                if (!row.getBoolean(2)) {
                    return CheckResult.fail(publication + " does not publish credsync.outbox",
                            "ALTER PUBLICATION " + publication + " SET TABLE credsync.outbox");
                }
                if (!row.getBoolean(1)) {
                    return CheckResult.fail(publication + " does not publish inserts",
                            "ALTER PUBLICATION " + publication + " SET (publish = 'insert')");
                }
                return CheckResult.ok(publication + " publishes inserts into credsync.outbox");
            }
        }
    }
}
