package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import io.credsync.connection.PgConnector;
import io.credsync.install.SqlErrors;
import io.credsync.keys.KeyRegistry;
import io.credsync.keys.KeyRegistry.RegisteredKey;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code credsync keys list}: the registered keys, one line each, the oldest first. Not
 * thread-safe; one per invocation.
 */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Lists the registered keys: whether active, when added, modulus size, and kid (the KMS key ARN).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (also when there are none)", "1:the database refused", "2:bad usage",
                "3:the configuration is not valid"})
final class KeysListCommand extends ConfiguredCommand {

    private static final String FORMAT = "%-6s  %-20s  %4s  %s%n";

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        List<RegisteredKey> keys;
        try (Connection connection = PgConnector.of(loaded.database()).connect()) {
            keys = KeyRegistry.list(connection);
        } catch (SQLException e) {
            err.println("keys list: " + SqlErrors.explain(e));
            err.flush();
            return 1;
        }
        if (keys.isEmpty()) {
            out.println("no keys registered: add one with credsync keys add --kms-key KEY");
        } else {
            out.printf(FORMAT, "ACTIVE", "ADDED", "BITS", "KID");
            DateTimeFormatter time = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
            for (RegisteredKey key : keys) {
                out.printf(FORMAT, key.active() ? "yes" : "no",
                        key.addedAt().withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(time),
                        key.modulusBits(), key.kid());
            }
        }
        out.flush();
        return 0;
    }
}
