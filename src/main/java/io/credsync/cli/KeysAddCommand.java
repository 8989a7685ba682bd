package io.credsync.cli;

import io.credsync.aws.AwsClients;
import io.credsync.config.AwsConfig;
import io.credsync.config.CredsyncConfig;
import io.credsync.connection.PgConnector;
import io.credsync.install.ClusterCopy;
import io.credsync.install.ClusterDatabases;
import io.credsync.install.ConsumerPrivileges;
import io.credsync.install.InstallException;
import io.credsync.install.SqlErrors;
import io.credsync.keys.KeyRegistration;
import io.credsync.keys.KmsPublicKey;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * {@code credsync keys add --kms-key KEY}: checks a KMS key and makes its public half the key
 * new password changes are encrypted to (see {@link KeyRegistration}). Not thread-safe; one per
 * invocation.
 */
@Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Makes a KMS key the active key: new password changes are encrypted to it.",
                "Fetches the public key with kms:GetPublicKey and checks that the key is RSA (RSA_2048,"
                        + " RSA_3072 or RSA_4096), usage ENCRYPT_DECRYPT, offering RSAES_OAEP_SHA_256.",
                "Keys added before stay registered, inactive: events encrypted to them still decrypt"
                        + " while their KMS keys stay enabled. Connect as a superuser (rds_superuser)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the key is the active key", "1:KMS or the database refused, or the key does not fit",
                "2:bad usage", "3:the configuration is not valid"})
final class KeysAddCommand extends ConfiguredCommand {

    @Option(names = "--kms-key", required = true, paramLabel = "KEY",
            description = "The KMS key: key id, alias/NAME, or the ARN of either.")
    String kmsKey;

    @Override
    int run(CredsyncConfig loaded, PrintWriter out, PrintWriter err) {
        AwsConfig aws = loaded.aws();
        try (KmsClient kms = AwsClients.build(KmsClient.builder(), aws.region(), aws.kmsEndpoint().orElse(null), null);
                Connection connection = PgConnector.of(loaded.database()).connect()) {
            KmsPublicKey key = KeyRegistration.fetch(kms, kmsKey);
            out.println("KMS key " + key.keyArn() + ": " + key.keySpec() + ", " + key.keyUsage()
                    + (key.encryptionAlgorithms().isEmpty() ? "" : ", " + String.join(" ", key.encryptionAlgorithms())));
            KeyRegistration.Result result = KeyRegistration.register(connection, key);
            print(out, result);
            out.flush();
            copyToCoveredDatabases(loaded, connection, out);
            return 0;
        } catch (InstallException e) {
            err.println("keys add: " + e.getMessage());
        } catch (SQLException e) {
            err.println("keys add: " + SqlErrors.explain(e));
        }
        err.println("keys add: no key was added");
        err.flush();
        return 1;
    }

    /**
     * Keys are defined once, in the home database: the others get a copy, since a change is
     * encrypted in the database it is made from.
     */
    private static void copyToCoveredDatabases(CredsyncConfig loaded, Connection home, PrintWriter out)
            throws SQLException {
        for (String other : ClusterDatabases.others(ClusterDatabases.list(home), loaded.database().databases(),
                loaded.database().name())) {
            try (Connection connection = PgConnector.of(loaded.database().withName(other)).connect()) {
                if (!ConsumerPrivileges.schemaExists(connection)) {
                    out.println("database " + other + ": credsync is not installed there; `credsync install` installs"
                            + " it and copies the keys");
                    continue;
                }
                for (String line : ClusterCopy.copy(home, connection, false)) {
                    out.println("database " + other + ": " + line);
                }
            }
            out.flush();
        }
    }

    private static void print(PrintWriter out, KeyRegistration.Result result) {
        String kid = result.key().keyArn();
        switch (result.outcome()) {
            case ALREADY_ACTIVE -> out.println("kid " + kid + " is already the active key; nothing changed");
            case REACTIVATED -> out.println("kid " + kid + " was registered before; it is the active key again");
            case ADDED -> out.println("added kid " + kid + "; it is the active key");
            default -> throw new IllegalStateException("unknown outcome " + result.outcome());
        }
        result.previousActive().ifPresent(previous -> out.println("kid " + previous + " stays registered, inactive:"
                + " events encrypted to it still decrypt while its KMS key stays enabled"));
        if (result.outcome() != KeyRegistration.Outcome.ALREADY_ACTIVE) {
            out.println("new password changes are encrypted to it; run credsync doctor with the consumer's"
                    + " credentials to check that they may decrypt with it (kms:Decrypt)");
        }
    }
}
