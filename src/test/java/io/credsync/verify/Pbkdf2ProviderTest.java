package io.credsync.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Provider;
import java.security.Security;
import java.security.spec.InvalidKeySpecException;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Pbkdf2ProviderTest {

    private static final Provider JDK = Security.getProvider("SunJCE");

    @Test
    void shouldDeriveTheRfc7914TestVectors() throws Exception {
        // RFC 7914, section 11: PBKDF2-HMAC-SHA256.
        assertThat(derive("passwd", "salt".getBytes(), 1, 512)).isEqualTo(HexFormat.of().parseHex(
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"));
        assertThat(derive("Password", "NaCl".getBytes(), 80_000, 512)).isEqualTo(HexFormat.of().parseHex(
                "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                        + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "correct horse battery staple", "pässwörd ünïcödé 密码 🔑",
            "a password longer than the sixty-four bytes of a SHA-256 block, so the HMAC key is its hash"})
    void shouldDeriveWhatTheJdkDerivesForTheSamePasswordSaltAndRounds(String password) throws Exception {
        Random random = new Random(password.hashCode());
        for (int iterations : new int[] {1, 2, 4096}) {
            for (int bits : new int[] {256, 8, 264, 512, 800}) {
                byte[] salt = new byte[random.nextInt(40) + 1];
                random.nextBytes(salt);
                PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bits);

                assertThat(derive(spec)).as("%d rounds, %d bits", iterations, bits)
                        .isEqualTo(SecretKeyFactory.getInstance(Pbkdf2Provider.ALGORITHM, JDK).generateSecret(spec)
                                .getEncoded());
            }
        }
    }

    @Test
    void shouldBeTheProviderTheJcaPicksOnceInstalled() throws Exception {
        Pbkdf2Provider.install();
        Pbkdf2Provider.install();

        assertThat(SecretKeyFactory.getInstance(Pbkdf2Provider.ALGORITHM).getProvider().getName())
                .isEqualTo(Pbkdf2Provider.NAME);
        assertThat(Security.getProviders()).filteredOn(p -> p.getName().equals(Pbkdf2Provider.NAME)).hasSize(1);
    }

    @Test
    void shouldLeaveEveryOtherAlgorithmToTheJdk() throws Exception {
        Pbkdf2Provider.install();

        assertThat(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").getProvider().getName()).isEqualTo("SunJCE");
        assertThat(new Pbkdf2Provider().getServices()).hasSize(1);
    }

    @Test
    void shouldRefuseASpecWithoutSaltOrKeyLength() {
        assertThatThrownBy(() -> derive(new PBEKeySpec("p".toCharArray())))
                .isInstanceOf(InvalidKeySpecException.class);
    }

    @Test
    void shouldKeepNeitherPasswordNorKeyOnceTheKeyIsDestroyed() throws Exception {
        SecretKey key = factory().generateSecret(new PBEKeySpec("p".toCharArray(), new byte[] {1}, 1, 256));

        key.destroy();

        assertThat(key.isDestroyed()).isTrue();
        assertThatThrownBy(key::getEncoded).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] derive(String password, byte[] salt, int iterations, int bits) throws Exception {
        return derive(new PBEKeySpec(password.toCharArray(), salt, iterations, bits));
    }

    private static byte[] derive(PBEKeySpec spec) throws Exception {
        return factory().generateSecret(spec).getEncoded();
    }

    private static SecretKeyFactory factory() throws Exception {
        return SecretKeyFactory.getInstance(Pbkdf2Provider.ALGORITHM, new Pbkdf2Provider());
    }
}
