package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' side of the secret scan of a whole run. {@code scripts/test} names a directory in
 * {@code CREDSYNC_TEST_SECRET_SCAN_DIR}; the tests then register there every password they set
 * ({@code passwords.hex}), and keep every output of the run somewhere under the run directory
 * (command output here in {@code outputs/}; server logs, dumps, data files, consumer logs and
 * metrics where their services lived, see {@link #keepsEvidence()}). After {@code mvn verify},
 * {@code scripts/lib/secret_scan.py} looks for each password in all of it.
 *
 * <p>Without that variable (a test run by hand, from an IDE or {@code mvn -Dit.test=...}) every
 * method here does nothing, and services clean up after themselves as they always did.
 *
 * <p>Thread-safe; registrations from several JVMs (unit and integration tests) go to one file.
 */
public final class SecretScan {

    /** The variable {@code scripts/test} sets. */
    public static final String DIRECTORY_VARIABLE = "CREDSYNC_TEST_SECRET_SCAN_DIR";
    /** The registry's name in that directory; the scanner reads it and skips it. */
    public static final String REGISTRY_FILE = "passwords.hex";

    private static final Optional<Path> DIRECTORY = Optional.ofNullable(System.getenv(DIRECTORY_VARIABLE))
            .filter(value -> !value.isBlank()).map(Path::of);
    private static final Optional<PasswordRegistry> REGISTRY =
            DIRECTORY.map(dir -> new PasswordRegistry(dir.resolve(REGISTRY_FILE)));
    private static final AtomicInteger OUTPUTS = new AtomicInteger();

    private SecretScan() {
    }

    /**
     * Whether this run is scanned, so that services must leave their files behind when they stop
     * (a dump and the data files of a cluster, the logs of an emulator) instead of deleting them.
     */
    public static boolean keepsEvidence() {
        return DIRECTORY.isPresent();
    }

    /**
     * Records a password the test sets (or makes the system set), for the scan to look for.
     * Call it before the password is used, so that a failing test leaves it registered too.
     *
     * @return {@code password}, for use in the same expression
     */
    public static String password(String password) {
        REGISTRY.ifPresent(registry -> registry.register(password));
        return password;
    }

    /**
     * Keeps what a command printed, for the scan: {@code outputs/<name>-<pid>-<n>.txt}.
     *
     * @param name what ran, e.g. {@code cli-StatusCommand}; letters, digits, {@code -} and {@code _}
     */
    public static void output(String name, String text) {
        if (DIRECTORY.isEmpty()) {
            return;
        }
        Path file = DIRECTORY.get().resolve("outputs").resolve(name.replaceAll("[^A-Za-z0-9_-]", "_") + "-"
                + ProcessHandle.current().pid() + "-" + OUTPUTS.incrementAndGet() + ".txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the output of " + name + " for the secret scan", e);
        }
    }
}
