package io.credsync.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.Jdbc;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.PostgresCluster;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.RsaKeys;
import io.credsync.testing.TestEnvironment;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * What {@code ./scripts/demo} shows, steps 2 to 8, on the test harness: a throwaway PostgreSQL,
 * local-kms and moto; credsync installed with a KMS key and a managed role; the consumer as its
 * own process ({@code java -jar credsync.jar run}); a real {@code ALTER ROLE} whose password
 * reaches the secret, which then logs in; the delivery row and the lag metrics; a clean stop.
 * Step 1, installing the tools and building, is the script's.
 *
 * <p>Passwords are random, shown masked, and given to the {@link OutputWatch} (and, through the
 * harness, to the run's secret scan) before they are used. Not thread-safe: one run at a time,
 * on the caller's thread.
 */
final class Demo {

    static final String DATABASE = "demo";
    static final String ROLE = "app_user";
    static final String SECRET_NAME = "demo/" + DATABASE + "/" + ROLE;

    private static final String MANAGED_ROLES = "app\\_%";
    private static final String SLOT = "credsync_demo";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int LOG_TAIL_LINES = 25;
    private static final String LAG_HISTOGRAM = "credsync_event_lag_seconds";
    private static final Pattern SHOWN_METRICS = Pattern.compile("^(" + LAG_HISTOGRAM + "_(count|sum)"
            + "|credsync_replication_lag_bytes|credsync_pending_events|credsync_oldest_pending_event_age_seconds"
            + "|credsync_events_total)[{ ].*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Narrator say;
    private final OutputWatch watch;

    /**
     * @param watch receives every password the demo sets and every output it shows, for a test to
     *     check that none of them holds a password
     */
    Demo(Narrator narrator, OutputWatch watch) {
        this.say = Objects.requireNonNull(narrator, "narrator");
        this.watch = Objects.requireNonNull(watch, "watch");
    }

    /**
     * Runs the demo; everything it started is stopped when it returns or throws.
     *
     * @throws IllegalStateException when a step does not do what it shows, saying which
     */
    void run() throws Exception {
        say.step("2/8", "Starting PostgreSQL, local-kms and moto on loopback");
        try (DemoServices services = DemoServices.start()) {
            describe(services);
            CredsyncDatabase database = install(services.postgres());
            registerKey(services.kms(), database);
            manageRoles(database);
            try (ConsumerProcess consumer = startConsumer(services)) {
                watch.consumer(consumer);
                ConsumerEndpoints endpoints = new ConsumerEndpoints(consumer.metricsPort());
                awaitReady(consumer, endpoints);
                changePassword(services, database, consumer, endpoints);
                stop(consumer);
            }
        }
        say.say("stopped PostgreSQL, local-kms and moto");
    }

    private void describe(DemoServices services) throws SQLException {
        PostgresCluster postgres = services.postgres();
        String version;
        try (Connection connection = postgres.connectAsSuperuser("postgres")) {
            version = Jdbc.single(connection, "SHOW server_version");
        }
        say.say("PostgreSQL " + version + "  127.0.0.1:" + postgres.port() + "  (wal_level=logical, "
                + postgres.options().preloadLibraries() + " preloaded)");
        say.say("local-kms        " + services.kms().endpoint());
        say.say("moto             " + services.moto().endpoint() + "  (Secrets Manager)");
        say.say("all up in " + services.startSeconds() + " s; their files are in " + TestEnvironment.runDir());
        say.say("psql below is: psql -h " + postgres.socketDirectory() + " -p " + postgres.port()
                + " -U postgres (trusted on this socket only)");
    }

    private CredsyncDatabase install(PostgresCluster postgres) {
        say.step("3/8", "Installing credsync in the database \"" + DATABASE + "\"");
        say.show("psql -c 'CREATE DATABASE " + DATABASE + "'");
        if (CredsyncDatabase.InstallMode.current() == CredsyncDatabase.InstallMode.NATIVE) {
            say.show("psql -d " + DATABASE + " -c 'CREATE EXTENSION credsync CASCADE'");
        } else {
            say.show("sql/pgtle/build-installer | psql -d " + DATABASE + "   # through pg_tle");
        }
        CredsyncDatabase database = CredsyncDatabase.createNamed(postgres, DATABASE);
        say.say("the consumer logs in as postgres over TCP, with the random password initdb set ("
                + Narrator.mask(watch.password(postgres.superuserPassword())) + ")");
        return database;
    }

    private void registerKey(LocalKms kms, CredsyncDatabase database) throws SQLException {
        say.step("4/8", "Creating an RSA_2048 key in KMS and registering its public key");
        say.show("aws kms create-key --key-spec RSA_2048 --key-usage ENCRYPT_DECRYPT; aws kms get-public-key"
                + "   # with the AWS SDK for Java");
        String arn = kms.createRsaKey(KeySpec.RSA_2048);
        String pem = RsaKeys.pem(kms.client().getPublicKey(request -> request.keyId(arn)).publicKey().asByteArray());
        say.say("key " + arn);
        String pemStart = pem.lines().skip(1).findFirst().orElse("");
        say.show("psql -d " + DATABASE + " -c \"SELECT credsync.add_key('" + arn + "', '-----BEGIN PUBLIC KEY----- "
                + pemStart.substring(0, Math.min(12, pemStart.length())) + "...')\"");
        database.addKey(arn, pem);
    }

    private void manageRoles(CredsyncDatabase database) throws SQLException {
        say.step("5/8", "Managing the roles " + MANAGED_ROLES + " and creating " + ROLE);
        say.show("psql -d " + DATABASE + " -c \"SELECT credsync.manage('" + MANAGED_ROLES + "')\"");
        database.manage(MANAGED_ROLES);
        say.show("psql -d " + DATABASE + " -c 'CREATE ROLE " + ROLE + " LOGIN'");
        try (Connection connection = database.connectAsSuperuser()) {
            RoleStatements.createRoleWithoutPassword(connection, ROLE);
        }
    }

    private ConsumerProcess startConsumer(DemoServices services) throws IOException {
        say.step("6/8", "Starting the consumer");
        Path dir = Files.createTempDirectory(TestEnvironment.runDir(), "consumer-demo-");
        String yaml = String.join("\n",
                "# The demo's consumer: the keys of config/credsync.yaml that differ from their defaults.",
                "database:",
                "  host: 127.0.0.1",
                "  port: " + services.postgres().port(),
                "  name: " + DATABASE,
                "  user: postgres",
                "  password_env: CREDSYNC_DB_PASSWORD  # the name of the variable; the password is not here",
                "  ssl_mode: disable",
                "replication:",
                "  slot: " + SLOT,
                "aws:",
                "  region: " + services.region(),
                "  kms_endpoint: " + services.kms().endpoint(),
                "  secretsmanager_endpoint: " + services.moto().endpoint(),
                "secrets:",
                "  prefix: demo/",
                "metrics:",
                "  host: 127.0.0.1",
                "  port: ${METRICS_PORT}",
                "");
        long started = System.nanoTime();
        ConsumerProcess consumer = ConsumerProcess.start(dir, yaml, Map.of(
                "CREDSYNC_DB_PASSWORD", services.postgres().superuserPassword(),
                "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test"));
        Path config = dir.resolve("credsync.yaml");
        say.say(config + ":");
        say.output(Files.readString(config, StandardCharsets.UTF_8));
        say.show("CREDSYNC_DB_PASSWORD=" + Narrator.mask(services.postgres().superuserPassword())
                + " AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\");
        say.showMore("java -jar target/credsync.jar run --config " + config + " &");
        say.say("listening on 127.0.0.1:" + consumer.metricsPort() + " after " + Narrator.seconds(started)
                + " s (pid " + ConsumerProcessInfo.pidOf("demo") + ", log " + dir.resolve("credsync.log") + ")");
        return consumer;
    }

    /** Waits until the consumer streams: {@code /health/ready} answers 200. */
    private void awaitReady(ConsumerProcess consumer, ConsumerEndpoints endpoints) throws Exception {
        long started = System.nanoTime();
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        try {
            await("the consumer's /health/ready answering 200").atMost(READY_TIMEOUT).pollInterval(POLL_INTERVAL)
                    .until(() -> {
                        if (!consumer.isAlive()) {
                            throw new IllegalStateException("the consumer exited before it was ready"
                                    + logTail(consumer));
                        }
                        last.set(endpoints.readiness());
                        return last.get().statusCode() == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the consumer was not ready within " + READY_TIMEOUT
                    + " (/health/ready answered " + Optional.ofNullable(last.get()).map(HttpResponse::body)
                    .orElse("nothing") + ")" + logTail(consumer), e);
        }
        say.say("ready (streaming) after " + Narrator.seconds(started) + " s more:");
        say.show("curl http://127.0.0.1:" + consumer.metricsPort() + "/health/ready");
        say.output(last.get().body());
    }

    private void changePassword(DemoServices services, CredsyncDatabase database, ConsumerProcess consumer,
            ConsumerEndpoints endpoints) throws Exception {
        say.step("7/8", "Changing " + ROLE + "'s password");
        String password = watch.password(Passwords.lettersAndDigits());
        say.show("psql -d " + DATABASE + " -c \"ALTER ROLE " + ROLE + " PASSWORD '" + Narrator.mask(password) + "'\"");
        try (Connection connection = database.connectAsSuperuser()) {
            RoleStatements.alterPassword(connection, ROLE, password);
        }
        say.say("committed; in the same transaction the passcheck hook wrote an outbox row, encrypted to the KMS key:");
        showQuery(database, "SELECT id, role_name, left(envelope, 40) || '...' AS envelope FROM credsync.outbox"
                + " ORDER BY id");

        say.say("waiting (up to " + DELIVERY_TIMEOUT.toSeconds() + " s) for Secrets Manager to hold the new password...");
        say.flush();
        GetSecretValueResponse secret = awaitSecret(services.moto(), password, consumer);
        JsonNode value = JSON.readTree(secret.secretString());
        ObjectNode shown = value.deepCopy();
        shown.put("password", Narrator.mask(value.path("password").asText()));
        say.say("the secret " + SECRET_NAME + " holds the new password (version " + secret.versionId() + "):");
        say.output(watch.output(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(shown)));

        say.say("logging in over TCP with the user and password read from the secret:");
        try (Connection login = database.postgres().connect(value.path("dbname").asText(),
                value.path("username").asText(), value.path("password").asText())) {
            say.say("connected; SELECT current_user gives " + Jdbc.single(login, "SELECT current_user"));
        }

        // The secret is written a moment before the delivery row commits.
        try (Connection connection = database.connectAsSuperuser()) {
            await("every outbox row having its delivery row").atMost(DELIVERY_TIMEOUT).pollInterval(POLL_INTERVAL)
                    .until(() -> Jdbc.count(connection, "SELECT count(*) FROM credsync.outbox o WHERE NOT EXISTS"
                            + " (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)") == 0);
        }
        say.say("what the consumer recorded:");
        showQuery(database, "SELECT outbox_id, role_name, status, reason, secret_version FROM credsync.delivery"
                + " ORDER BY outbox_id");

        showMetrics(consumer, endpoints);
    }

    /** Polls the secret until it holds {@code password}; its value is never part of a message. */
    private GetSecretValueResponse awaitSecret(MotoServer moto, String password, ConsumerProcess consumer) {
        AtomicReference<GetSecretValueResponse> current = new AtomicReference<>();
        try {
            await("the secret " + SECRET_NAME + " holding the new password").atMost(DELIVERY_TIMEOUT)
                    .pollInterval(POLL_INTERVAL).until(() -> {
                        try {
                            current.set(moto.client().getSecretValue(request -> request.secretId(SECRET_NAME)));
                        } catch (ResourceNotFoundException e) {
                            return false; // not written yet
                        }
                        return password.equals(JSON.readTree(current.get().secretString()).path("password").asText());
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the secret " + SECRET_NAME + " did not get the new password within "
                    + DELIVERY_TIMEOUT + (current.get() == null ? " (it does not exist)" : "") + logTail(consumer), e);
        }
        return current.get();
    }

    private void showMetrics(ConsumerProcess consumer, ConsumerEndpoints endpoints) throws Exception {
        // The consumer records the lag just after it writes the secret, which the poll may see first.
        await("the consumer counting the change in " + LAG_HISTOGRAM).atMost(Duration.ofSeconds(10))
                .pollInterval(POLL_INTERVAL).until(() -> endpoints.metrics().histogram(LAG_HISTOGRAM).count() >= 1);
        String metrics = endpoints.metricsText();
        say.say("its metrics:");
        say.show("curl -s http://127.0.0.1:" + consumer.metricsPort() + "/metrics | grep ...");
        say.output(watch.output(String.join("\n", metrics.lines().filter(line -> SHOWN_METRICS.matcher(line).matches())
                .toList())));
        double lagMillis = PrometheusText.parse(metrics).histogram(LAG_HISTOGRAM).mean() * 1000;
        say.say(String.format(Locale.ROOT, "commit to secret written: %.0f ms (sum / count; the first"
                + " change after start-up is the slowest)", lagMillis));
    }

    private void stop(ConsumerProcess consumer) throws InterruptedException {
        say.step("8/8", "Stopping the consumer and cleaning up");
        say.show("kill -TERM " + ConsumerProcessInfo.pidOf("demo"));
        long started = System.nanoTime();
        int exitCode = consumer.terminate(STOP_TIMEOUT);
        say.say("the consumer exited with code " + exitCode + " after " + Narrator.seconds(started) + " s");
        if (exitCode != 0) {
            throw new IllegalStateException("the consumer should exit with code 0 on SIGTERM" + logTail(consumer));
        }
    }

    /** A query's result as psql prints it (over the superuser's socket), indented, without the row count. */
    private void showQuery(CredsyncDatabase database, String sql) {
        say.show("psql -d " + DATABASE + " -c " + (sql.contains("'") ? '"' + sql + '"' : "'" + sql + "'"));
        say.output(watch.output(database.postgres().psql(DATABASE, "\\pset footer off\n" + sql + ";\n")));
    }

    /** The end of the consumer's log, to explain a failure (the consumer never logs a password). */
    private static String logTail(ConsumerProcess consumer) {
        List<String> lines = consumer.output().lines().toList();
        return "; the consumer's log ends with:\n    | " + String.join("\n    | ",
                lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

}
