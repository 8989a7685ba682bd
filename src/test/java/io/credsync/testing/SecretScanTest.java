package io.credsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secret scan of a test run: passwords registered by {@link PasswordRegistry}, looked for by
 * {@code scripts/lib/secret_scan.py} in a directory tree with planted hits, in the forms a
 * password takes in logs, JSON, SQL, dumps and binary data files.
 */
class SecretScanTest {

    private static final String PLAIN = "planted-Pa55word-in-a-log";
    private static final String QUOTED = "it's a \"quoted\" back\\slash";
    private static final String MULTI_LINE = "line one\nline two of a password";
    private static final String JAPANESE = "パスワードは秘密です";
    private static final List<String> PLANTED = List.of(PLAIN, QUOTED, MULTI_LINE, JAPANESE);

    @TempDir
    Path run;

    @Test
    void shouldFailNamingEachFileWithAPlantedPasswordInAnyFormAndNeverPrintThePassword() throws Exception {
        register(PLANTED);
        write("postgres-1/server.log", "LOG:  statement: ALTER ROLE app PASSWORD '" + PLAIN + "'\n");
        write("consumer-1/credsync.log", "{\"message\":\"" + QUOTED.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}\n");
        write("postgres-1/pg_dumpall.sql", "COPY t (x) FROM stdin;\nline one\\nline two of a password\n\\.\n"
                + "INSERT INTO t VALUES ('" + QUOTED.replace("'", "''") + "');\n");
        write("outputs/cli-multi.txt", "before " + MULTI_LINE + " after\n");
        byte[] page = new byte[8192];
        byte[] japanese = JAPANESE.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(japanese, 0, page, 5000, japanese.length);
        Files.createDirectories(run.resolve("postgres-1/data/base/5"));
        Files.write(run.resolve("postgres-1/data/base/5/16384"), page);
        write("moto/moto_server.log", "nothing secret here\n");

        Scan scan = scan();

        assertThat(scan.exitCode()).as(scan.output()).isEqualTo(1);
        assertThat(scan.output()).contains("FAILED", "found in 5 files", "postgres-1/server.log: 1",
                "consumer-1/credsync.log: 1", "postgres-1/pg_dumpall.sql: 2", "outputs/cli-multi.txt: 1",
                "postgres-1/data/base/5/16384: 1");
        assertThat(scan.output()).doesNotContain("moto_server.log", SecretScan.REGISTRY_FILE);
        for (String password : PLANTED) {
            for (String line : password.split("\n")) {
                assertThat(scan.output()).as("the scan's own output").doesNotContain(line);
            }
        }
    }

    @Test
    void shouldPassWhenNoRegisteredPasswordAppearsAndSayWhatItDidNotSearchFor() throws Exception {
        register(List.of(PLAIN, "short"));
        write("postgres-1/server.log", "LOG:  a password that is short\n");
        write("consumer-1/credsync.log", "{\"message\":\"synced\"}\n");

        Scan scan = scan();

        assertThat(scan.exitCode()).as(scan.output()).isZero();
        assertThat(scan.output()).contains("1 passwords (1 shorter than 6 bytes not searched for)",
                "no registered password found");
    }

    @Test
    void shouldFindALineBreakingPasswordAcrossTheScannersReadChunks() throws Exception {
        register(List.of(MULTI_LINE));
        byte[] data = new byte[9 * 1024 * 1024];
        byte[] password = MULTI_LINE.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(password, 0, data, 8 * 1024 * 1024 - 5, password.length);
        Files.write(run.resolve("wal-segment"), data);

        Scan scan = scan();

        assertThat(scan.exitCode()).as(scan.output()).isEqualTo(1);
        assertThat(scan.output()).contains("wal-segment: 1");
    }

    @Test
    void shouldRegisterEachPasswordOnceFromManyThreadsAndNoHashes() throws Exception {
        PasswordRegistry registry = new PasswordRegistry(run.resolve(SecretScan.REGISTRY_FILE));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(threads.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    registry.register("password-" + i);
                    registry.register(MULTI_LINE);
                }
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        threads.shutdown();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        registry.register("md5" + "0123456789abcdef".repeat(2));
        registry.register("SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy");

        List<String> lines = Files.readAllLines(run.resolve(SecretScan.REGISTRY_FILE));
        Set<String> decoded = lines.stream()
                .map(line -> new String(HexFormat.of().parseHex(line), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertThat(lines).hasSize(201);
        assertThat(decoded).hasSize(201).contains("password-0", "password-199", MULTI_LINE);
    }

    private void register(List<String> passwords) {
        PasswordRegistry registry = new PasswordRegistry(run.resolve("secret-scan").resolve(SecretScan.REGISTRY_FILE));
        passwords.forEach(registry::register);
    }

    private void write(String relative, String text) throws IOException {
        Path file = run.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private record Scan(int exitCode, String output) {
    }

    private Scan scan() throws Exception {
        Process process = new ProcessBuilder("python3", Path.of("scripts", "lib", "secret_scan.py").toString(),
                "--registry", run.resolve("secret-scan").resolve(SecretScan.REGISTRY_FILE).toString(), run.toString())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the scan finished").isTrue();
        return new Scan(process.exitValue(), output);
    }
}
