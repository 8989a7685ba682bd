package io.credsync.cli;

import io.credsync.config.CredsyncConfig;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code credsync rotate ROLE}: a new random password for a managed role, set inside the
 * database by {@code credsync.rotate}, so that nobody ever sees it; its secret follows as for any
 * change. Prints the event id, never the password.
 */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Sets a new random password for a managed role inside the database"
                + " (SELECT credsync.rotate(role)), through an ordinary ALTER ROLE that credsync captures"
                + " like any other change. Nobody sees the password: the command prints the event id, and"
                + " the role's secret is updated as for any change. Also how an existing role is adopted.",
                "Run it as a role that may execute credsync.rotate (the extension's owner, or one granted it)"
                        + " and that could change the role's password with its own ALTER ROLE: rotate does no more."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the password was changed", "1:the database refused (the message says why)",
                "2:bad usage", "3:the configuration is not valid"})
final class RotateCommand extends ConfiguredCommand {

    @Parameters(paramLabel = "ROLE", description = "The managed role whose password to rotate.")
    String role;

    @Option(names = "--length", paramLabel = "N", defaultValue = "32",
            description = "Characters in the new password, 32 to 254 (default: ${DEFAULT-VALUE}).")
    int length;

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        try (Connection connection = CliDatabase.open(loaded.database(), "rotate", false);
                PreparedStatement rotate = connection.prepareStatement("SELECT credsync.rotate(?, ?)")) {
            rotate.setString(1, role);
            rotate.setInt(2, length);
            try (ResultSet rows = rotate.executeQuery()) {
                rows.next();
                out.println("rotated the password of role " + role + ": event " + rows.getString(1));
            }
            return 0;
        } catch (SQLException e) {
            err.println("credsync: cannot rotate the password of role " + role + ": " + e.getMessage()
                    + " (SQLState " + e.getSQLState() + ")");
            return 1;
        }
    }
}
