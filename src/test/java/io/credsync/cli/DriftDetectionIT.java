package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.CredsyncDatabase;
import io.credsync.testing.LocalHttp;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SecretScan;
import io.credsync.testing.SyncFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift detection with the real consumer process, real statements and the emulators: a password
 * changed behind credsync's back (the hook switched off for the statement by a superuser) or a
 * secret deleted by someone else is reported in the table, the metrics, the log, {@code status}
 * and {@code doctor}; {@code credsync.rotate} puts it right, or the consumer does with
 * {@code drift.auto_rotate}.
 */
class DriftDetectionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short, so that a test sees several passes. */
    private static final Map<String, String> FAST_DRIFT = Map.of("CREDSYNC_DRIFT_INTERVAL", "1s");

    @TempDir
    Path dir;

    private SyncFixture fixture;
    private final OutputWatch outputs = new OutputWatch();

    @BeforeAll
    static void credentials() {
        InstallCliSupport.useEmulatorCredentials();
    }

    @AfterEach
    void noOutputHoldsAPassword() throws Exception {
        try {
            outputs.assertNoPassword("\"password\"");
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }


    @Test
    void shouldReportAPasswordChangedBehindCredsyncsBackAsDriftEverywhereUntilARotateFixesIt() throws Exception {
        fixture = SyncFixture.create("drift_behind");
        fixture.database().manage("driftb\\_%");
        ConsumerProcess consumer = start(FAST_DRIFT);
        String role = RoleStatements.uniqueName("driftb");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("synced-" + role));
            fixture.awaitSecretPassword(role, "synced-" + role, TIMEOUT);
            awaitDriftState(role, "in_sync");

            changeWithoutTheHook(superuser, role, password("behind-the-back-" + role));
        }
        assertThat(fixture.pendingEvents()).as("the hook was off: nothing was captured").isZero();

        JsonNode drift = awaitDriftState(role, "drifted");
        assertThat(drift.path("reason").asText()).isEqualTo("the password in secret " + fixture.secretName(role)
                + " does not log in");
        assertThat(drift.path("fix").asText()).isEqualTo("SELECT credsync.rotate('" + role + "');");
        assertThat(metrics(consumer)).contains("credsync_secret_drift{application=\"credsync\",role=\"" + role
                + "\"} 1.0", "credsync_drifted_roles{application=\"credsync\"} 1.0");
        assertThat(consumer.output()).contains("drift detected: role " + role + ": the password in secret");

        Path config = CliConfigFiles.write(dir, fixture);
        CommandRun status = command(new StatusCommand(), "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(StatusCommand.EXIT_ATTENTION);
        assertThat(status.out()).contains("1 managed role's secret does not log in (drift): " + role,
                role + ": the password in secret " + fixture.secretName(role) + " does not log in; fix: SELECT"
                        + " credsync.rotate('" + role + "');");
        CommandRun json = command(new StatusCommand(), "--config", config.toString(), "--json");
        assertThat(json.out()).contains("\"code\":\"secret_drift\"", "\"state\":\"drifted\"");
        CommandRun doctor = command(new DoctorCommand(), "--config", config.toString());
        assertThat(doctor.out()).as(doctor.toString()).contains("FAIL  secret drift: 1 role(s) drifted: their secret"
                + " does not log in: " + role + " (the password in secret " + fixture.secretName(role)
                + " does not log in, since ", "      fix: SELECT credsync.rotate('" + role + "');\n");

        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.execute(superuser, "SELECT credsync.rotate('" + role + "')");
        }
        JsonNode secret = fixture.awaitSecret(role, s -> !s.path("password").asText().equals("synced-" + role), TIMEOUT);
        password(secret.path("password").asText());
        awaitDriftState(role, "in_sync");
        assertThat(awaitMetrics(consumer, m -> m.contains("credsync_secret_drift{application=\"credsync\",role=\""
                + role + "\"} 0.0"))).contains("credsync_drifted_roles{application=\"credsync\"} 0.0");
        assertThat(consumer.output()).contains("role " + role + " is in sync again");
        CommandRun healthy = command(new StatusCommand(), "--config", config.toString());
        assertThat(healthy.out()).doesNotContain("secret_drift", "(drift)");
    }

    @Test
    void shouldReportASecretDeletedBySomeoneElseAsDrift() throws Exception {
        fixture = SyncFixture.create("drift_missing");
        fixture.database().manage("driftm\\_%");
        start(FAST_DRIFT);
        String role = RoleStatements.uniqueName("driftm");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("kept-" + role));
        }
        fixture.awaitSecretPassword(role, "kept-" + role, TIMEOUT);
        awaitDriftState(role, "in_sync");

        MotoServer.shared().client().deleteSecret(r -> r.secretId(fixture.secretName(role))
                .forceDeleteWithoutRecovery(true));

        JsonNode drift = awaitDriftState(role, "drifted");
        assertThat(drift.path("reason").asText()).isEqualTo("secret " + fixture.secretName(role) + " does not exist");
    }

    @Test
    void shouldNotReportDriftForARoleWhoseLoginCannotBeTried() throws Exception {
        fixture = SyncFixture.create("drift_nologin");
        fixture.database().manage("driftn\\_%");
        start(FAST_DRIFT);
        String role = RoleStatements.uniqueName("driftn");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("first-" + role));
            fixture.awaitSecretPassword(role, "first-" + role, TIMEOUT);
            RoleStatements.execute(superuser, "ALTER ROLE " + role + " NOLOGIN");
        }

        JsonNode drift = awaitDriftState(role, "unverifiable");
        assertThat(drift.path("reason").asText()).contains("no LOGIN");
    }

    @Test
    void shouldRotateADriftedRoleByItselfWhenAutoRotateIsOn() throws Exception {
        fixture = SyncFixture.create("drift_auto");
        fixture.database().manage("drifta\\_%");
        ConsumerProcess consumer = start(Map.of("CREDSYNC_DRIFT_INTERVAL", "1s", "CREDSYNC_DRIFT_AUTO_ROTATE", "true"));
        String role = RoleStatements.uniqueName("drifta");
        String behind = password("behind-" + role);
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password("before-" + role));
            fixture.awaitSecretPassword(role, "before-" + role, TIMEOUT);
            changeWithoutTheHook(superuser, role, behind);
        }

        JsonNode secret = fixture.awaitSecret(role, s -> !s.path("password").asText().equals("before-" + role),
                TIMEOUT);
        String rotated = password(secret.path("password").asText());
        assertThat(rotated).hasSize(32).isNotEqualTo(behind);
        try (Connection login = fixture.database().connect(role, rotated)) {
            assertThat(login.isValid(5)).as("the rotated password in the secret logs in").isTrue();
        }
        assertThatThrownBy(() -> fixture.database().connect(role, behind).close())
                .as("the password set behind credsync's back no longer logs in")
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        awaitDriftState(role, "in_sync");
        assertThat(consumer.output()).contains("rotated role " + role + " after drift (drift.auto_rotate)");
    }

    @Test
    void shouldRefuseToStartWithAutoRotateWhenItsRoleMayNotRotate() throws Exception {
        fixture = SyncFixture.create("drift_refuse");
        String consumerRole = RoleStatements.uniqueName("drift_consumer");
        String consumerPassword = password("consumer-" + consumerRole);
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, consumerRole, consumerPassword);
            RoleStatements.execute(superuser, "ALTER ROLE " + consumerRole + " REPLICATION");
        }

        // Run to its end: its health endpoint opens before the database is asked, so it does listen briefly.
        SyncFixture.CliRun run = fixture.runCli(Map.of("CREDSYNC_DATABASE_USER", consumerRole,
                "CREDSYNC_DATABASE_PASSWORD_ENV", "DRIFT_CONSUMER_PASSWORD",
                "DRIFT_CONSUMER_PASSWORD", consumerPassword, "CREDSYNC_DRIFT_AUTO_ROTATE", "true"), "run");
        outputs.output(run.output());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("drift.auto_rotate is true, but the consumer's role " + consumerRole
                + " may not execute credsync.rotate: run GRANT EXECUTE ON FUNCTION credsync.rotate(text,"
                + " integer, text) TO " + consumerRole);
    }

    private ConsumerProcess start(Map<String, String> settings) {
        return outputs.consumer(fixture.startConsumer(settings));
    }

    private String password(String value) {
        return SecretScan.password(outputs.password(value));
    }

    private CommandRun command(Object command, String... args) {
        CommandRun run = CommandRun.of(command, args);
        outputs.output(run.all());
        return run;
    }

    /**
     * As a superuser may: switch capture off for one transaction, so that nothing is captured.
     * Native: {@code credsync_passcheck.enabled}. pg_tle's {@code pgtle.enable_password_check}
     * changes only at a reload, but its hook records through a trigger, which
     * {@code session_replication_role = replica} (open to rds_superuser too) keeps from firing.
     */
    private static void changeWithoutTheHook(Connection superuser, String role, String password) throws SQLException {
        String setting = CredsyncDatabase.InstallMode.current() == CredsyncDatabase.InstallMode.NATIVE
                ? "credsync_passcheck.enabled = off" : "session_replication_role = replica";
        superuser.setAutoCommit(false);
        try {
            RoleStatements.execute(superuser, "SET LOCAL " + setting);
            RoleStatements.alterPassword(superuser, role, password);
            superuser.commit();
        } finally {
            superuser.setAutoCommit(true);
        }
    }

    /** Waits until the consumer recorded {@code state} for the role; returns the row as JSON. */
    private JsonNode awaitDriftState(String role, String state) {
        AtomicReference<Optional<JsonNode>> last = new AtomicReference<>(Optional.empty());
        await("role " + role + " reaching drift state " + state).atMost(TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    last.set(driftRow(role));
                    assertThat(last.get().map(row -> row.path("state").asText())).as("the drift state; last row: %s",
                            last.get().map(JsonNode::toString).orElse("none")).contains(state);
                });
        return last.get().orElseThrow();
    }

    private Optional<JsonNode> driftRow(String role) throws Exception {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement statement = superuser.prepareStatement(
                        "SELECT pg_catalog.row_to_json(c)::text FROM credsync.drift_check c WHERE c.role_name = ?")) {
            statement.setString(1, role);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(JSON.readTree(row.getString(1))) : Optional.empty();
            }
        }
    }

    private String metrics(ConsumerProcess consumer) throws Exception {
        String body = LocalHttp.get(consumer.metricsPort(), "/metrics").body();
        outputs.output(body);
        return body;
    }

    private String awaitMetrics(ConsumerProcess consumer, Predicate<String> condition) {
        // On a timeout Awaitility shows the last scrape, which holds no password (the consumer's metrics never do).
        return await("the metrics reaching the expected state").atMost(TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(200)).until(() -> metrics(consumer), condition::test);
    }
}
