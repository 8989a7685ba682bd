package io.credsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The smoke test of the test environment itself: each service starts and does its job. */
class TestEnvironmentIT {

    private static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() {
        // The native module is built in parallel with this harness: preload it once it exists.
        ClusterOptions options = ClusterOptions.defaults();
        if (!TestEnvironment.pgModuleInstalled(ClusterOptions.DEFAULT_PRELOAD_LIBRARIES)) {
            options = options.withPreloadLibraries("");
        }
        cluster = PostgresCluster.start(options.withSetting("work_mem", "8MB"));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void shouldAcceptTcpLoginWithRightPassword() throws SQLException {
        try (Connection connection = cluster.connectAsSuperuser("postgres");
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_user, inet_server_addr()::text")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("postgres");
            assertThat(row.getString(2)).as("the login went over TCP, where SCRAM applies").isEqualTo("127.0.0.1/32");
        }
    }

    @Test
    void shouldRefuseTcpLoginWithWrongPassword() {
        assertThatThrownBy(() -> cluster.connect("postgres", cluster.superuser(), "wrong").close())
                .isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).as("invalid_password").isEqualTo("28P01"));
    }

    @Test
    void shouldRunWithLogicalWalLevel() throws SQLException {
        assertThat(show("wal_level")).isEqualTo("logical");
        assertThat(show("password_encryption")).isEqualTo("scram-sha-256");
        assertThat(show("listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(show("work_mem")).as("extra settings reach postgresql.conf").isEqualTo("8MB");
    }

    @Test
    void shouldRunPsqlScriptsWithMetaCommandsAndReportErrors() {
        String output = cluster.psql("postgres", "\\set answer 42\nSELECT :answer AS answer;\n");
        assertThat(output).contains("42");
        assertThatThrownBy(() -> cluster.psql("postgres", "SELECT 1;\nSELECT no_such_column;\nSELECT 2;\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no_such_column");
    }

    @Test
    void shouldKeepDataAcrossRestartAfterCrash() throws SQLException {
        cluster.createDatabase("restart \"check\"");
        cluster.psql("restart \"check\"", "CREATE TABLE t (x int); INSERT INTO t VALUES (7);");
        cluster.restart(ShutdownMode.IMMEDIATE);
        try (Connection connection = cluster.connectAsSuperuser("restart \"check\"");
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT x FROM t")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getInt(1)).as("committed before the crash, recovered after it").isEqualTo(7);
        }
        assertThat(cluster.serverLog()).contains("database system is ready to accept connections");
    }

    @ParameterizedTest
    @EnumSource(value = KeySpec.class, names = {"RSA_2048", "RSA_3072", "RSA_4096"})
    void shouldUnwrapRsaOaepSha256CiphertextMadeOutsideKms(KeySpec spec) throws Exception {
        KmsClient kms = LocalKms.shared().client();
        String arn = LocalKms.shared().createRsaKey(spec);
        byte[] der = kms.getPublicKey(request -> request.keyId(arn)).publicKey().asByteArray();
        PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        byte[] contentKey = new byte[64];
        new SecureRandom().nextBytes(contentKey);

        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.ENCRYPT_MODE, publicKey, new OAEPParameterSpec(
                "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] wrapped = cipher.doFinal(contentKey);

        byte[] unwrapped = kms.decrypt(request -> request
                        .keyId(arn)
                        .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)
                        .ciphertextBlob(SdkBytes.fromByteArray(wrapped)))
                .plaintext().asByteArray();

        assertThat(arn).startsWith("arn:aws:kms:us-east-1:" + EmulatedAws.KMS_ACCOUNT_ID + ":key/");
        assertThat(unwrapped).as("what KMS unwraps is what Java wrapped").isEqualTo(contentKey);
    }

    @Test
    void shouldCreateAndReadSecretInMoto() {
        SecretsManagerClient secrets = MotoServer.shared().client();
        String arn = secrets.createSecret(request -> request
                .name("credsync/smoke/" + System.nanoTime())
                .secretString("{\"username\":\"app\",\"password\":\"p'\\\"$x\"}")).arn();

        String value = secrets.getSecretValue(request -> request.secretId(arn)).secretString();

        assertThat(value).isEqualTo("{\"username\":\"app\",\"password\":\"p'\\\"$x\"}");
        assertThat(MotoServer.shared().logFile()).content().contains("POST / HTTP");
    }

    @Test
    void shouldRefuseConnectionsWhileTheEmulatorsAreStoppedAndServeOnTheSamePortWithTheSameKeysAfterResume()
            throws Exception {
        try (LocalKms kms = LocalKms.start(); MotoServer moto = MotoServer.start()) {
            String arn = kms.createRsaKey(KeySpec.RSA_2048);
            byte[] publicKey = kms.client().getPublicKey(r -> r.keyId(arn)).publicKey().asByteArray();

            kms.stop();
            moto.stop();
            assertThat(kms.isRunning()).isFalse();
            assertThat(moto.isRunning()).isFalse();
            for (URI endpoint : List.of(kms.endpoint(), moto.endpoint())) {
                assertThatThrownBy(() -> new Socket(endpoint.getHost(), endpoint.getPort()).close())
                        .as("a connection to " + endpoint + " while stopped")
                        .isInstanceOf(ConnectException.class);
            }

            URI before = kms.endpoint();
            kms.resume();
            moto.resume();
            assertThat(kms.endpoint()).isEqualTo(before);
            assertThat(kms.client().getPublicKey(r -> r.keyId(arn)).publicKey().asByteArray())
                    .as("the key survived the outage").isEqualTo(publicKey);
            assertThat(moto.client().listSecrets().secretList()).as("moto came back, empty").isEmpty();
        }
    }

    @Test
    void shouldRefuseToStartWhenPreloadedModuleIsMissing() {
        assertThatThrownBy(() -> PostgresCluster.start(ClusterOptions.defaults()
                        .withPreloadLibraries("credsync_no_such_module")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("credsync_no_such_module.so");
    }

    private static String show(String setting) throws SQLException {
        try (Connection connection = cluster.connectAsSuperuser("postgres");
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }
}
