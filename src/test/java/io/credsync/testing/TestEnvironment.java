package io.credsync.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the programs the integration tests need are, and where the tests may put files.
 *
 * <p>{@code ./scripts/test} installs everything and exports its location in environment
 * variables; without them (a test run from an IDE) this class falls back to the usual places
 * and, when something is missing, fails with a message that says to run {@code ./scripts/test}.
 *
 * <p>Thread-safe: the values are read from the environment and cached on first use. No method
 * returns null.
 */
public final class TestEnvironment {

    /** The OS user that owns and runs PostgreSQL when the tests run as root. */
    public static final String POSTGRES_OS_USER = "postgres";

    private static final Path DEBIAN_PG_BINDIR = Path.of("/usr/lib/postgresql/15/bin");
    private static final String HINT = "; run the tests with ./scripts/test, which installs it";

    private static Path pgBinDir;
    private static Path pgPkgLibDir;
    private static String initdbLocale;

    private TestEnvironment() {
    }

    /**
     * The directory holding PostgreSQL's server binaries (initdb, pg_ctl, postgres, psql):
     * {@code CREDSYNC_PG_BINDIR}, else {@code pg_config --bindir}, else Debian's PostgreSQL 15.
     *
     * @throws IllegalStateException if that directory has no initdb
     */
    public static synchronized Path pgBinDir() {
        if (pgBinDir == null) {
            Path dir = env("CREDSYNC_PG_BINDIR").map(Path::of)
                    .or(() -> onPath("pg_config").flatMap(TestEnvironment::bindirOf))
                    .orElse(DEBIAN_PG_BINDIR);
            if (!Files.isExecutable(dir.resolve("initdb"))) {
                throw new IllegalStateException("PostgreSQL server binaries not found in " + dir + HINT);
            }
            pgBinDir = dir;
        }
        return pgBinDir;
    }

    /** The PostgreSQL program {@code name} (e.g. "psql") in {@link #pgBinDir()}. */
    public static Path pgBinary(String name) {
        Path binary = pgBinDir().resolve(name);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " not found" + HINT);
        }
        return binary;
    }

    /** Where PostgreSQL loads modules from: {@code pg_config --pkglibdir} of {@link #pgBinDir()}. */
    public static synchronized Path pgPkgLibDir() {
        if (pgPkgLibDir == null) {
            String out = Commands.runChecked("pg_config", List.of(pgConfig().toString(), "--pkglibdir"), Path.of("/"));
            pgPkgLibDir = Path.of(out.strip());
        }
        return pgPkgLibDir;
    }

    /** Whether {@code pg_config --pkglibdir} holds the loadable module {@code name} (no suffix). */
    public static boolean pgModuleInstalled(String name) {
        return Files.isRegularFile(pgPkgLibDir().resolve(name + ".so"));
    }

    /** The local-kms binary: {@code CREDSYNC_LOCAL_KMS}, else local-kms on the PATH. */
    public static Path localKms() {
        return program("CREDSYNC_LOCAL_KMS", "local-kms");
    }

    /** moto's server: {@code CREDSYNC_MOTO_SERVER}, else moto_server on the PATH. */
    public static Path motoServer() {
        return program("CREDSYNC_MOTO_SERVER", "moto_server");
    }

    /** The CloudFormation linter: {@code CREDSYNC_CFN_LINT}, else cfn-lint on the PATH. */
    public static Path cfnLint() {
        return program("CREDSYNC_CFN_LINT", "cfn-lint");
    }

    /**
     * Where tests put the files of the services they start: {@code CREDSYNC_TEST_RUN_DIR}
     * (made by {@code ./scripts/test}, which stops whatever is left there and removes it),
     * else {@code java.io.tmpdir}.
     */
    public static Path runDir() {
        return env("CREDSYNC_TEST_RUN_DIR").map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Whether this JVM runs as root, so that PostgreSQL must run as {@link #POSTGRES_OS_USER}. */
    public static boolean runningAsRoot() {
        try {
            // /proc/self belongs to the process's effective user.
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The locale initdb should use: C.UTF-8 where the system has it, else C. */
    static synchronized String initdbLocale() {
        if (initdbLocale == null) {
            String available;
            try {
                available = Commands.run(List.of("locale", "-a"), Path.of("/"), Map.of(), null,
                        Commands.DEFAULT_TIMEOUT).output();
            } catch (RuntimeException e) {
                available = "";
            }
            initdbLocale = available.lines()
                    .map(line -> line.strip().toLowerCase(Locale.ROOT))
                    .anyMatch(line -> line.equals("c.utf8") || line.equals("c.utf-8")) ? "C.UTF-8" : "C";
        }
        return initdbLocale;
    }

    private static Path pgConfig() {
        Path inBinDir = pgBinDir().resolve("pg_config");
        if (Files.isExecutable(inBinDir)) {
            return inBinDir;
        }
        return onPath("pg_config").orElseThrow(() -> new IllegalStateException("pg_config not found" + HINT));
    }

    private static Optional<Path> bindirOf(Path pgConfig) {
        try {
            Commands.Result result = Commands.run(List.of(pgConfig.toString(), "--bindir"), Path.of("/"), Map.of(),
                    null, Commands.DEFAULT_TIMEOUT);
            return result.exitCode() == 0 ? Optional.of(Path.of(result.output().strip())) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path program(String variable, String name) {
        Optional<String> configured = env(variable);
        if (configured.isPresent()) {
            Path path = Path.of(configured.get());
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(variable + " names " + path + ", which is not an executable file"
                        + HINT);
            }
            return path;
        }
        return onPath(name).orElseThrow(() -> new IllegalStateException(
                name + " not found (neither " + variable + " is set nor is it on the PATH)" + HINT));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank());
    }
}
