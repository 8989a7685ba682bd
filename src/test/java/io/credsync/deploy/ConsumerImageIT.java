package io.credsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.credsync.testing.Docker;
import io.credsync.testing.EmulatedAws;
import io.credsync.testing.LocalKms;
import io.credsync.testing.MotoServer;
import io.credsync.testing.OutputWatch;
import io.credsync.testing.PortAllocator;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SecretScan;
import io.credsync.testing.SyncFixture;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer image that {@code scripts/test} built from the Dockerfile
 * ({@code CREDSYNC_TEST_CONSUMER_IMAGE}), run with {@code docker run} the way ECS or compose runs
 * it, configured by its environment alone, against a real PostgreSQL cluster, local-kms and moto
 * on this machine's loopback ({@code --network host}).
 */
class ConsumerImageIT {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(90);

    private final OutputWatch outputs = new OutputWatch();
    private String image;
    private SyncFixture fixture;
    private String container;

    @BeforeEach
    void needsTheImage() {
        image = Docker.image(Docker.CONSUMER_IMAGE_VARIABLE).orElse(null);
        Assumptions.assumeTrue(image != null, Docker.CONSUMER_IMAGE_VARIABLE
                + " names no image: ./scripts/test builds it (unless CREDSYNC_TEST_CONTAINERS=0)");
    }

    @AfterEach
    void removeTheContainer() throws Exception {
        try {
            if (container != null) {
                String logs = Docker.logs(container);
                SecretScan.output("container-consumer", logs);
                outputs.output(logs);
                Docker.remove(container);
            }
            outputs.assertNoPassword("\"password\"");
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Test
    void shouldRunAsANonRootUserReportHealthySyncAPasswordAndExitZeroWithinTenSecondsOfDockerStop()
            throws Exception {
        fixture = SyncFixture.create("image");
        fixture.database().manage("img\\_%");
        int metricsPort = PortAllocator.freePort();
        container = runConsumer(metricsPort);

        assertThat(Docker.inspect(container, "{{.Config.User}}")).as("the image's USER").isEqualTo("10001:10001");
        assertThat(Docker.run("exec", container, "cat", "/proc/1/status"))
                .as("the uid of the container's main process, java")
                .containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$");
        awaitHealthy();

        String role = RoleStatements.uniqueName("img");
        String password = outputs.password(SecretScan.password("image-" + role));
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password);
        }
        JsonNode secret = fixture.awaitSecretPassword(role, password, SYNC_TIMEOUT);
        assertThat(fixture.secretLogsIn(secret)).as("the secret's password logs in").isTrue();
        fixture.awaitEveryEventDelivered(SYNC_TIMEOUT);
        assertThat(fixture.deliveryColumn(role, "d.status")).containsExactly("synced");

        long start = System.nanoTime();
        Docker.run("stop", "--time", "10", container);
        Duration stopped = Duration.ofNanos(System.nanoTime() - start);
        assertThat(Docker.inspect(container, "{{.State.ExitCode}}")).as("exit code after docker stop").isEqualTo("0");
        assertThat(Docker.inspect(container, "{{.State.OOMKilled}}")).isEqualTo("false");
        assertThat(stopped).as("docker stop sends SIGTERM, and SIGKILL after 10 s").isLessThan(Duration.ofSeconds(10));
    }

    /** Starts the image configured by CREDSYNC_* variables alone; the password never on a command line. */
    private String runConsumer(int metricsPort) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("CREDSYNC_DATABASE_HOST", fixture.database().postgres().host());
        settings.put("CREDSYNC_DATABASE_PORT", Integer.toString(fixture.database().postgres().port()));
        settings.put("CREDSYNC_DATABASE_NAME", fixture.database().name());
        settings.put("CREDSYNC_DATABASE_USER", fixture.database().postgres().superuser());
        settings.put("CREDSYNC_DATABASE_SSL_MODE", "disable");
        settings.put("CREDSYNC_REPLICATION_SLOT", fixture.slot());
        settings.put("CREDSYNC_AWS_REGION", EmulatedAws.REGION.id());
        settings.put("CREDSYNC_AWS_KMS_ENDPOINT", LocalKms.shared().endpoint().toString());
        settings.put("CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT", MotoServer.shared().endpoint().toString());
        settings.put("CREDSYNC_SECRETS_PREFIX", fixture.secretPrefix());
        settings.put("CREDSYNC_METRICS_HOST", "127.0.0.1");
        settings.put("CREDSYNC_METRICS_PORT", Integer.toString(metricsPort));
        settings.put("AWS_ACCESS_KEY_ID", "test");
        settings.put("AWS_SECRET_ACCESS_KEY", "test");
        settings.put("CREDSYNC_DB_PASSWORD", fixture.database().postgres().superuserPassword());

        List<String> args = new ArrayList<>(List.of("run", "--detach", "--network", "host"));
        args.addAll(Docker.runLabel());
        // The image's own check, run every second rather than every 30 s so that the test need not wait.
        args.addAll(List.of("--health-interval", "1s"));
        settings.keySet().forEach(name -> args.addAll(List.of("--env", name)));
        args.add(image);
        return Docker.run(args, settings);
    }

    private void awaitHealthy() {
        await("the container healthy").atMost(HEALTHY_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    if (Docker.inspect(container, "{{.State.Health.Status}}").equals("healthy")) {
                        return true;
                    }
                    // A container that stopped never becomes healthy: fail at once, with its logs.
                    assertThat(Docker.inspect(container, "{{.State.Running}}"))
                            .as("the container still runs; its logs:\n%s", Docker.logs(container)).isEqualTo("true");
                    return false;
                });
    }
}
