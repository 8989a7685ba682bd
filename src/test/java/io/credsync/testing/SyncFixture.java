package io.credsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * Everything an end-to-end test needs: a database with credsync installed, an RSA key in
 * local-kms whose public half is the active key, moto for Secrets Manager, a slot name and a
 * secret prefix of its own, and consumers started as real processes against all that.
 *
 * <p>Thread-safe for reading secrets; start and close consumers from the test's thread.
 */
public final class SyncFixture implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CredsyncDatabase database;
    private final LocalKms kms;
    private final MotoServer moto;
    private final String kmsKeyArn;
    private final String slot;
    private final String secretPrefix;
    private final Path dir;
    private final List<ConsumerProcess> consumers = new ArrayList<>();
    /** Whether the configuration covers every database of the cluster, not just the fixture's. */
    private volatile boolean wholeCluster;

    private SyncFixture(CredsyncDatabase database, String kmsKeyArn, String slot, String secretPrefix, Path dir) {
        this.database = database;
        this.kms = LocalKms.shared();
        this.moto = MotoServer.shared();
        this.kmsKeyArn = kmsKeyArn;
        this.slot = slot;
        this.secretPrefix = secretPrefix;
        this.dir = dir;
    }

    /** A fresh database and KMS key; {@code prefix} names the database, slot and secrets. */
    public static SyncFixture create(String prefix) throws SQLException {
        return create(CredsyncDatabase.cluster(), prefix);
    }

    /** As {@link #create(String)}, on {@code cluster} (one with settings of its own). */
    public static SyncFixture create(PostgresCluster cluster, String prefix) throws SQLException {
        int n = COUNTER.incrementAndGet();
        CredsyncDatabase database = CredsyncDatabase.create(cluster, prefix);
        LocalKms kms = LocalKms.shared();
        String arn = kms.createRsaKey(KeySpec.RSA_2048);
        byte[] publicKey = kms.client().getPublicKey(request -> request.keyId(arn)).publicKey().asByteArray();
        database.addKey(arn, RsaKeys.pem(publicKey));
        return new SyncFixture(database, arn, prefix + "_slot_" + n, prefix + "-" + n + "/",
                Directories.createUnderRunDir("consumer-" + prefix + "-"));
    }

    public CredsyncDatabase database() {
        return database;
    }

    public String kmsKeyArn() {
        return kmsKeyArn;
    }

    public String slot() {
        return slot;
    }

    /**
     * Makes the configuration cover every database of the cluster (the default, database.databases
     * unset), the fixture's database being the home one: for a cluster of the test's own.
     */
    public SyncFixture coveringTheWholeCluster() {
        wholeCluster = true;
        return this;
    }

    /** The consumer's configuration: superuser login, this fixture's slot and secret prefix. */
    public String consumerYaml() {
        PostgresCluster cluster = database.postgres();
        return String.join("\n",
                "database:",
                "  host: 127.0.0.1",
                "  port: " + cluster.port(),
                "  name: " + database.name(),
                // The shared test cluster holds many tests' installations: each covers its own database.
                wholeCluster ? "  databases: all" : "  databases: [" + database.name() + "]",
                "  user: " + cluster.superuser(),
                "  password_env: CREDSYNC_TEST_DB_PASSWORD",
                "  ssl_mode: disable",
                "replication:",
                "  slot: " + slot,
                "  status_interval: 1s",
                "  reconnect_initial: 200ms",
                "  reconnect_max: 2s",
                "aws:",
                "  region: " + EmulatedAws.REGION.id(),
                "  kms_endpoint: " + kms.endpoint(),
                "  secretsmanager_endpoint: " + moto.endpoint(),
                "secrets:",
                "  prefix: " + secretPrefix,
                "  tags: {owner: credsync-tests}",
                "delivery:",
                "  retry_initial: 100ms",
                "  retry_max: 2s",
                "metrics:",
                "  host: 127.0.0.1",
                "  port: ${METRICS_PORT}",
                "");
    }

    /** Starts a consumer process (another one per call: two make a standby pair). */
    public ConsumerProcess startConsumer() {
        return startConsumer(Map.of());
    }

    /** As {@link #startConsumer()}, with settings overridden by environment variables. */
    public ConsumerProcess startConsumer(Map<String, String> settings) {
        // A directory per consumer: two at once (a standby pair) keep their own log and pid file.
        Path consumerDir = dir.resolve("consumer-" + (consumers.size() + 1));
        try {
            Files.createDirectories(consumerDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + consumerDir, e);
        }
        Map<String, String> env = new HashMap<>(settings);
        env.put("CREDSYNC_TEST_DB_PASSWORD", database.postgres().superuserPassword());
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        ConsumerProcess consumer = ConsumerProcess.start(consumerDir, consumerYaml(), env);
        consumers.add(consumer);
        return consumer;
    }

    /** The {@code secrets.prefix} of this fixture's consumers. */
    public String secretPrefix() {
        return secretPrefix;
    }

    /**
     * What a command of the real CLI printed (stdout and stderr together) and its exit code.
     *
     * @param exitCode the process's exit code
     * @param output everything it printed
     */
    public record CliRun(int exitCode, String output) {
    }

    /**
     * Runs {@code java -jar credsync.jar <args> --config <the consumer's configuration>} as its own
     * process, as an operator would, and waits for it.
     */
    public CliRun runCli(String... args) {
        return runCli(Map.of(), args);
    }

    /** As {@link #runCli(String...)}, with {@code env} added (settings as CREDSYNC_* variables). */
    public CliRun runCli(Map<String, String> env, String... args) {
        Path config = dir.resolve("cli.yaml");
        try {
            Files.writeString(config, consumerYaml().replace("${METRICS_PORT}", "0"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", Path.of(System.getProperty("credsync.jar", "target/credsync.jar"))
                .toAbsolutePath().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--config", config.toString()));
        Map<String, String> fullEnv = new HashMap<>(Map.of("CREDSYNC_TEST_DB_PASSWORD",
                database.postgres().superuserPassword()));
        fullEnv.putAll(env);
        Commands.Result result = Commands.run(command, dir, fullEnv, null, Commands.DEFAULT_TIMEOUT);
        SecretScan.output("cli-" + args[0], result.output());
        return new CliRun(result.exitCode(), result.output());
    }

    /** The secret name credsync's default template gives {@code role}. */
    public String secretName(String role) {
        return secretPrefix + database.name() + "/" + role;
    }

    /** The secret's current value as JSON, if the secret exists. */
    public Optional<JsonNode> secret(String role) {
        try {
            String value = moto.client().getSecretValue(r -> r.secretId(secretName(role))).secretString();
            return Optional.of(JSON.readTree(value));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("the secret of " + role + " is not JSON", e);
        }
    }

    /** Waits until the role's secret satisfies {@code condition}; fails with the last value's keys. */
    public JsonNode awaitSecret(String role, Predicate<JsonNode> condition, Duration timeout)
            throws InterruptedException {
        AtomicReference<Optional<JsonNode>> last = new AtomicReference<>(Optional.empty());
        // The assertion names the role and whether the secret exists, never its value: it holds a password.
        await("the secret of role " + role + " reaching the expected state").atMost(timeout)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                    last.set(secret(role));
                    assertThat(last.get().filter(condition)).as("the secret of role %s (%s) in the expected state",
                            role, last.get().isPresent() ? "it exists" : "it does not exist").isPresent();
                });
        return last.get().orElseThrow();
    }

    /** Waits until the role's secret holds {@code password}. */
    public JsonNode awaitSecretPassword(String role, String password, Duration timeout) throws InterruptedException {
        return awaitSecret(role, s -> password.equals(s.path("password").asText(null)), timeout);
    }

    /**
     * Logs in to the secret's database as its user with its password, as an application would.
     *
     * @return whether the connection is valid
     * @throws SQLException when PostgreSQL refuses the login
     */
    public boolean secretLogsIn(JsonNode secret) throws SQLException {
        try (Connection login = database.postgres().connect(secret.path("dbname").asText(),
                secret.path("username").asText(), secret.path("password").asText())) {
            return login.isValid(5);
        }
    }

    /**
     * One value of each of the role's delivery rows, in outbox order.
     *
     * @param expression what to read, an SQL expression over {@code credsync.delivery d}, e.g.
     *     {@code d.status}; test code only, never user input
     */
    public List<String> deliveryColumn(String role, String expression) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection superuser = database.connectAsSuperuser();
                PreparedStatement statement = superuser.prepareStatement("SELECT " + expression
                        + " FROM credsync.delivery d WHERE d.role_name = ? ORDER BY d.outbox_id")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    /** Outbox rows that have no delivery row yet. */
    public long pendingEvents() throws SQLException {
        try (Connection connection = database.connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM credsync.outbox o"
                        + " WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Waits until every outbox row has a delivery row. A secret is written a moment before its
     * delivery row commits, so a test reads {@code credsync.delivery} only after this.
     */
    public void awaitEveryEventDelivered(Duration timeout) throws SQLException, InterruptedException {
        await("every outbox event of " + database.name() + " getting its delivery row").atMost(timeout)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(pendingEvents()).as("outbox events without a delivery row").isZero());
    }

    /** Stops every consumer this fixture started and drops its slot. */
    @Override
    public void close() throws SQLException {
        consumers.forEach(ConsumerProcess::close);
        try (Connection connection = database.connectAsSuperuser();
                PreparedStatement drop = connection.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                + " WHERE slot_name = ? AND NOT active")) {
            drop.setString(1, slot);
            drop.execute();
        }
    }
}
