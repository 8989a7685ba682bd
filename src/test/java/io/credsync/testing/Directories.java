package io.credsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/** Temporary directories under the run directory, their ownership and removal. Thread-safe. */
final class Directories {

    private Directories() {
    }

    /** Creates a new directory {@code <runDir>/<prefix><random>}, readable only by its owner. */
    static Path createUnderRunDir(String prefix) {
        try {
            Path runDir = TestEnvironment.runDir();
            Files.createDirectories(runDir);
            return Files.createTempDirectory(runDir, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory under " + TestEnvironment.runDir(), e);
        }
    }

    /** Makes the {@code postgres} OS user and group own {@code path} (not recursive). */
    static void giveToPostgresUser(Path path) {
        try {
            UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal user = lookup.lookupPrincipalByName(TestEnvironment.POSTGRES_OS_USER);
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(TestEnvironment.POSTGRES_OS_USER);
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setOwner(user);
            view.setGroup(group);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + path + " to the OS user "
                    + TestEnvironment.POSTGRES_OS_USER + " (does it exist? ./scripts/test installs PostgreSQL)", e);
        }
    }

    /** Deletes {@code root} and everything below it; a missing {@code root} is not an error. */
    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** Deletes a file, ignoring failures: for cleanup paths that must not mask another error. */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Nothing to do: the run directory is removed as a whole by scripts/test.
        }
    }
}
