package io.credsync.bench;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Fresh random passwords, so that every change is a real change and no two runs collide. */
final class Passwords {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    private static final String LETTERS_AND_DIGITS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** 24 random letters and digits: no prefix, so that a masked password shows nothing fixed. */
    static String lettersAndDigits() {
        StringBuilder password = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            password.append(LETTERS_AND_DIGITS.charAt(RANDOM.nextInt(LETTERS_AND_DIGITS.length())));
        }
        return password.toString();
    }

    static String next() {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "bench-" + HexFormat.of().formatHex(random);
    }
}
