package io.credsync.bench;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Fresh random passwords, so that every change is a real change and no two runs collide. */
final class Passwords {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    static String next() {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "bench-" + HexFormat.of().formatHex(random);
    }
}
