package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.crypto.EnvelopeOpener;
import io.credsync.crypto.EventPayload;
import io.credsync.crypto.KmsKeyUnwrapper;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/** {@code credsync keys add} and {@code keys list} against a real database and local-kms. */
class KeysCommandIT {

    @TempDir
    Path dir;

    private CredsyncDatabase database;
    private Path config;
    private LocalKms kms;

    @BeforeAll
    static void credentials() {
        InstallCliSupport.useEmulatorCredentials();
    }

    @BeforeEach
    void databaseWithCredsyncAndNoKey() throws Exception {
        database = CredsyncDatabase.create("keys");
        kms = LocalKms.shared();
        config = InstallCliSupport.config(dir, "superuser", database.postgres(), database.name(),
                database.postgres().superuser(), database.postgres().superuserPassword(), "credsync",
                kms.endpoint(), MotoServer.shared().endpoint(), "credsync/");
    }

    private CommandRun keys(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", config.toString()));
        return CommandRun.of(new KeysCommand(), all.toArray(String[]::new));
    }

    @Test
    void anRsaKeyNamedByItsAliasBecomesTheActiveKeyAndAnAlteredPasswordDecryptsThroughKms() throws Exception {
        String arn = kms.createRsaKey(KeySpec.RSA_2048);
        String alias = "alias/credsync-keys-" + UUID.randomUUID();
        kms.client().createAlias(r -> r.aliasName(alias).targetKeyId(arn));

        CommandRun run = keys("add", "--kms-key", alias);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("KMS key " + arn + ": RSA_2048, ENCRYPT_DECRYPT",
                "added kid " + arn + "; it is the active key");
        String role = RoleStatements.uniqueName("keys");
        String password = "the 'new' password of " + role;
        try (Connection c = database.connectAsSuperuser()) {
            assertThat(strings(c, "SELECT kid FROM credsync.encryption_key WHERE active")).containsExactly(arn);
            database.manage("keys\\_%");
            RoleStatements.createRoleWithoutPassword(c, role);
            RoleStatements.alterPassword(c, role, password);
            try (Statement s = c.createStatement();
                    ResultSet row = s.executeQuery("SELECT event_id, envelope, kid FROM credsync.outbox"
                            + " WHERE role_name = '" + role + "'")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(3)).isEqualTo(arn);
                EventPayload payload = new EnvelopeOpener(new KmsKeyUnwrapper(kms.client()))
                        .open(row.getString(2), row.getObject(1, UUID.class), role);
                assertThat(payload.password().reveal()).isEqualTo(password);
            }
        }
    }

    @Test
    void addingTheActiveKeyAgainChangesNothingAndANewKeyLeavesTheOldOneRegistered() throws Exception {
        String first = kms.createRsaKey(KeySpec.RSA_2048);
        String second = kms.createRsaKey(KeySpec.RSA_3072);
        assertThat(keys("add", "--kms-key", first).exitCode()).isZero();

        CommandRun again = keys("add", "--kms-key", first);
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("kid " + first + " is already the active key; nothing changed");

        CommandRun rotated = keys("add", "--kms-key", second);
        assertThat(rotated.exitCode()).as(rotated.toString()).isZero();
        assertThat(rotated.out()).contains("added kid " + second + "; it is the active key",
                "kid " + first + " stays registered, inactive");

        CommandRun list = keys("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().toList()).hasSize(3).satisfies(lines -> {
            assertThat(lines.get(0)).isEqualTo("ACTIVE  ADDED                 BITS  KID");
            assertThat(lines.get(1)).startsWith("no ").endsWith(" 2048  " + first);
            assertThat(lines.get(2)).startsWith("yes").endsWith(" 3072  " + second);
        });

        CommandRun back = keys("add", "--kms-key", first);
        assertThat(back.out()).as(back.toString()).contains("kid " + first + " was registered before; it is the active key again");
    }

    @Test
    void anEccSigningKeyIsRefusedSayingWhatIsWrongAndWhatToUse() throws Exception {
        String ecc = kms.client().createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata().arn();

        CommandRun run = keys("add", "--kms-key", ecc);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("KMS key " + ecc + " cannot be credsync's key",
                "its key spec is ECC_NIST_P256: credsync needs an RSA key, RSA_2048, RSA_3072 or RSA_4096",
                "its key usage is SIGN_VERIFY", "needs key usage ENCRYPT_DECRYPT",
                "aws kms create-key --key-spec RSA_3072 --key-usage ENCRYPT_DECRYPT", "no key was added");
        assertNoKey();
    }

    @Test
    void anRsaSigningKeyIsRefusedForItsUsage() throws Exception {
        String signing = kms.client().createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata().arn();

        CommandRun run = keys("add", "--kms-key", signing);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("its key usage is SIGN_VERIFY").doesNotContain("key spec is");
        assertNoKey();
    }

    @Test
    void aKeyKmsDoesNotKnowIsExplainedByItsErrorCode() throws Exception {
        CommandRun run = keys("add", "--kms-key", "alias/credsync-no-such-key");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("kms:GetPublicKey on alias/credsync-no-such-key failed with NotFoundException:"
                + " KMS has no such key in this Region");
        assertNoKey();
    }

    @Test
    void listSaysWhenThereIsNoKey() {
        CommandRun run = keys("list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("no keys registered: add one with credsync keys add --kms-key KEY\n");
    }

    private void assertNoKey() throws SQLException {
        try (Connection c = database.connectAsSuperuser()) {
            assertThat(strings(c, "SELECT kid FROM credsync.encryption_key")).isEmpty();
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
