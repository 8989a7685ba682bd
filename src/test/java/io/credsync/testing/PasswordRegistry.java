package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A file listing passwords, one per line as the hex of its UTF-8 bytes (so that the list itself
 * holds none in plain text, and a password with a line break stays one entry), appended to by
 * any number of threads and JVMs at once: each entry is one write under an exclusive file lock.
 *
 * <p>Thread-safe. Each password is written once per instance, however often it is registered.
 */
final class PasswordRegistry {

    /** What PostgreSQL takes as an already hashed password (see get_password_type): no password. */
    private static final Pattern MD5_HASH = Pattern.compile("md5[0-9a-f]{32}");
    private static final String SCRAM_PREFIX = "SCRAM-SHA-256$";

    private final Path file;
    private final Set<String> written = new HashSet<>();

    PasswordRegistry(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /**
     * Appends {@code password}, unless it is empty or a hash PostgreSQL would store as it is (an
     * md5 or SCRAM verifier): those are the catalog's own content, not a secret the tests chose.
     */
    synchronized void register(String password) {
        Objects.requireNonNull(password, "password");
        if (password.isEmpty() || MD5_HASH.matcher(password).matches() || password.startsWith(SCRAM_PREFIX)
                || !written.add(password)) {
            return;
        }
        byte[] line = (HexFormat.of().formatHex(password.getBytes(StandardCharsets.UTF_8)) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
                    FileLock lock = channel.lock()) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            // A password the scan does not know of is a scan that can pass wrongly: stop the test.
            written.remove(password);
            throw new UncheckedIOException("cannot register a password in " + file, e);
        }
    }
}
