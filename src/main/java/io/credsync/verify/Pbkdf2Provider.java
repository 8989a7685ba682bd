package io.credsync.verify;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.SecretKeyFactorySpi;
import javax.crypto.spec.PBEKeySpec;

/**
 * A JCA provider with one service, {@code SecretKeyFactory.PBKDF2WithHmacSHA256}, that derives
 * the same keys as the JDK's (RFC 8018, the password encoded as UTF-8) with half the hashing.
 *
 * <p>Why: every SCRAM-SHA-256 login (the login check before each secret is published, and each
 * connection the consumer opens) derives the salted password with 4,096 HMAC-SHA-256 rounds
 * (PgJDBC's SCRAM client asks the JCA for {@code PBKDF2WithHmacSHA256}). The JDK's HMAC hashes the
 * key's inner and outer pad blocks again in every round: four SHA-256 compressions per round.
 * The pads do not change between rounds, so this hashes each once and starts every round from a
 * copy of those digests: two compressions per round. The iteration count is the server's, as
 * before; the login is the same login.
 *
 * <p>{@link #install()} puts it ahead of the JDK's providers for that one algorithm; every other
 * algorithm still comes from the JDK. A JDK that refuses unsigned providers for JCE services
 * passes it over and keeps using its own, so nothing breaks there either.
 *
 * <p>Thread-safe: the provider and its factories hold no state between calls.
 */
public final class Pbkdf2Provider extends Provider {

    /** The provider's name, as {@link SecretKeyFactory#getProvider()} reports it. */
    public static final String NAME = "credsync-pbkdf2";
    static final String ALGORITHM = "PBKDF2WithHmacSHA256";

    @Serial
    private static final long serialVersionUID = 1L;
    private static final int BLOCK = 64;
    private static final int HASH = 32;

    public Pbkdf2Provider() {
        super(NAME, "1.0", "PBKDF2WithHmacSHA256 with the HMAC pads hashed once per key");
        putService(new Service(this, "SecretKeyFactory", ALGORITHM, Factory.class.getName(), null, null) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new Factory();
            }
        });
    }

    /** Registers the provider first in the JVM's list, once; later calls do nothing. */
    public static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.insertProviderAt(new Pbkdf2Provider(), 1);
        }
    }

    /**
     * The derivation itself: {@code dkLenBytes} bytes of PBKDF2-HMAC-SHA256 of {@code password}
     * (UTF-8) and {@code salt} over {@code iterations} rounds.
     */
    static byte[] derive(char[] password, byte[] salt, int iterations, int dkLenBytes) {
        byte[] key = utf8(password);
        try {
            MessageDigest inner = sha256();
            MessageDigest outer = sha256();
            byte[] block = new byte[BLOCK];
            if (key.length > BLOCK) {
                byte[] hashed = inner.digest(key);
                System.arraycopy(hashed, 0, block, 0, hashed.length);
                Arrays.fill(hashed, (byte) 0);
            } else {
                System.arraycopy(key, 0, block, 0, key.length);
            }
            byte[] pad = new byte[BLOCK];
            for (int i = 0; i < BLOCK; i++) {
                pad[i] = (byte) (block[i] ^ 0x36);
            }
            inner.update(pad);
            for (int i = 0; i < BLOCK; i++) {
                pad[i] = (byte) (block[i] ^ 0x5c);
            }
            outer.update(pad);
            Arrays.fill(pad, (byte) 0);
            Arrays.fill(block, (byte) 0);
            return blocks(inner, outer, salt, iterations, dkLenBytes);
        } catch (CloneNotSupportedException | DigestException e) {
            throw new IllegalStateException("the JDK's SHA-256 cannot be copied mid-hash", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** T_1 || T_2 || ... cut to {@code dkLenBytes}, each T_i = U_1 xor ... xor U_c (RFC 8018, 5.2). */
    private static byte[] blocks(MessageDigest inner, MessageDigest outer, byte[] salt, int iterations,
            int dkLenBytes) throws CloneNotSupportedException, DigestException {
        byte[] derived = new byte[dkLenBytes];
        byte[] u = new byte[HASH];
        byte[] t = new byte[HASH];
        byte[] counter = new byte[4];
        for (int index = 1, offset = 0; offset < dkLenBytes; index++, offset += HASH) {
            counter[0] = (byte) (index >>> 24);
            counter[1] = (byte) (index >>> 16);
            counter[2] = (byte) (index >>> 8);
            counter[3] = (byte) index;
            MessageDigest round = (MessageDigest) inner.clone();
            round.update(salt);
            round.update(counter);
            hmacFinish(round, outer, u);
            System.arraycopy(u, 0, t, 0, HASH);
            for (int i = 1; i < iterations; i++) {
                round = (MessageDigest) inner.clone();
                round.update(u);
                hmacFinish(round, outer, u);
                for (int j = 0; j < HASH; j++) {
                    t[j] ^= u[j];
                }
            }
            System.arraycopy(t, 0, derived, offset, Math.min(HASH, dkLenBytes - offset));
        }
        Arrays.fill(u, (byte) 0);
        Arrays.fill(t, (byte) 0);
        return derived;
    }

    /** Ends an HMAC whose inner hash is {@code round}: {@code out} = H(opad-state || H(inner)). */
    private static void hmacFinish(MessageDigest round, MessageDigest outer, byte[] out)
            throws CloneNotSupportedException, DigestException {
        round.digest(out, 0, HASH);
        MessageDigest finish = (MessageDigest) outer.clone();
        finish.update(out);
        finish.digest(out, 0, HASH);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The password's UTF-8 bytes, as the JDK's PBKDF2 encodes them; no copy of them is left behind. */
    private static byte[] utf8(char[] password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    /** The factory the JCA instantiates; public for its reflection. */
    public static final class Factory extends SecretKeyFactorySpi {

        @Override
        protected SecretKey engineGenerateSecret(KeySpec keySpec) throws InvalidKeySpecException {
            if (!(keySpec instanceof PBEKeySpec spec)) {
                throw new InvalidKeySpecException("PBKDF2WithHmacSHA256 needs a PBEKeySpec");
            }
            char[] password = spec.getPassword();
            try {
                byte[] salt = spec.getSalt();
                if (salt == null || spec.getIterationCount() <= 0 || spec.getKeyLength() <= 0
                        || spec.getKeyLength() % 8 != 0) {
                    throw new InvalidKeySpecException("PBKDF2WithHmacSHA256 needs a salt, a positive iteration"
                            + " count and a positive key length in whole bytes");
                }
                byte[] derived = derive(password, salt, spec.getIterationCount(), spec.getKeyLength() / 8);
                return new DerivedKey(derived);
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        @Override
        protected KeySpec engineGetKeySpec(SecretKey key, Class<?> keySpec) throws InvalidKeySpecException {
            // The JDK's keys give their password back; these do not keep it.
            throw new InvalidKeySpecException("a PBKDF2WithHmacSHA256 key of " + NAME + " has no key spec");
        }

        @Override
        protected SecretKey engineTranslateKey(SecretKey key) throws InvalidKeyException {
            if (key instanceof DerivedKey) {
                return key;
            }
            throw new InvalidKeyException("only keys made by " + NAME);
        }
    }

    /**
     * A derived key: its bytes only. Unlike the JDK's PBKDF2 keys it keeps no copy of the
     * password, which its users (the SCRAM client takes {@link #getEncoded()}) do not need.
     */
    private static final class DerivedKey implements SecretKey {

        @Serial
        private static final long serialVersionUID = 1L;

        private final byte[] key;
        private volatile boolean destroyed;

        DerivedKey(byte[] key) {
            this.key = Objects.requireNonNull(key, "key");
        }

        @Override
        public String getAlgorithm() {
            return ALGORITHM;
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            if (destroyed) {
                throw new IllegalStateException("the key was destroyed");
            }
            return key.clone();
        }

        @Override
        public void destroy() {
            destroyed = true;
            Arrays.fill(key, (byte) 0);
        }

        @Override
        public boolean isDestroyed() {
            return destroyed;
        }

        @Override
        public String toString() {
            return "PBKDF2WithHmacSHA256 key";
        }
    }
}
