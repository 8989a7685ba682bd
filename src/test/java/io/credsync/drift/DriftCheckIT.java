package io.credsync.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.connection.DatabaseConnector;
import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretsManagerPasswordReader;
import io.credsync.testing.ClusterConnector;
import io.credsync.testing.MotoServer;
import io.credsync.testing.RoleStatements;
import io.credsync.testing.SyncFixture;
import io.credsync.verify.LoginVerifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One drift pass, in process, against a real database and moto, with no consumer running: so
 * that the outbox and delivery rows are exactly what each test makes them, and the rules about
 * what is not drift can be seen one by one.
 */
class DriftCheckIT {

    private SyncFixture fixture;
    private DatabaseConnector connector;
    private DriftCheck check;

    @BeforeEach
    void setUp() throws SQLException {
        fixture = SyncFixture.create("drift_pass");
        fixture.database().manage("dc\\_%");
        connector = ClusterConnector.superuser(fixture.database().postgres(), fixture.database().name());
        check = new DriftCheck(new SecretsManagerPasswordReader(MotoServer.shared().client()),
                new LoginVerifier(connector, Clock.systemUTC()),
                new SecretNamer("{prefix}{database}/{role}", fixture.secretPrefix(), Map.of()),
                fixture.database().name());
    }

    @AfterEach
    void tearDown() throws SQLException {
        fixture.close();
    }

    @Test
    void shouldSkipARoleWhoseChangeIsStillOnItsWay() throws Exception {
        String role = RoleStatements.uniqueName("dc");
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, "on-its-way-" + role);
        }

        DriftReport report = run();

        assertThat(report.managed()).contains(role);
        assertThat(report.skipped()).contains(role);
        assertThat(report.verdicts()).noneMatch(v -> v.role().equals(role));
        assertThat(stored(role, "state")).as("no verdict recorded").isNull();
    }

    @Test
    void shouldFindARoleInSyncWhenItsSecretsPasswordLogsIn() throws Exception {
        String role = RoleStatements.uniqueName("dc");
        createDeliveredRole(role, "logs-in-" + role, "synced");
        writeSecret(role, "logs-in-" + role);

        DriftReport report = run();

        assertThat(report.verdicts()).contains(DriftVerdict.inSync(role, fixture.secretName(role)));
        assertThat(stored(role, "state")).isEqualTo("in_sync");
    }

    @Test
    void shouldNotOfferARotateWhenTheRolesNewestChangeFailedButSayWhatToReplay() throws Exception {
        String role = RoleStatements.uniqueName("dc");
        long outboxId = createDeliveredRole(role, "never-delivered-" + role, "failed");

        DriftVerdict verdict = verdictOf(run(), role);

        assertThat(verdict.state()).isEqualTo(DriftState.DRIFTED);
        assertThat(verdict.rotatable()).isFalse();
        assertThat(verdict.reason()).isEqualTo("secret " + fixture.secretName(role) + " does not exist, and its newest"
                + " change (outbox id " + outboxId + ") was failed: AccessDeniedException from the test");
        assertThat(verdict.fix()).isEqualTo("fix that cause, then: credsync replay " + outboxId);
    }

    @Test
    void shouldKeepTheTimeADriftBeganAcrossPasses() throws Exception {
        String role = RoleStatements.uniqueName("dc");
        createDeliveredRole(role, "real-" + role, "synced");
        writeSecret(role, "stale-" + role);

        assertThat(verdictOf(run(), role).rotatable()).isTrue();
        String since = stored(role, "drifted_since");
        run();

        assertThat(stored(role, "state")).isEqualTo("drifted");
        assertThat(stored(role, "drifted_since")).isNotNull().isEqualTo(since);
        assertThat(stored(role, "fix")).isEqualTo("SELECT credsync.rotate('" + role + "');");
    }

    @Test
    void shouldForgetTheVerdictOfARoleNoLongerManaged() throws Exception {
        String role = RoleStatements.uniqueName("dc");
        createDeliveredRole(role, "soon-unmanaged-" + role, "synced");
        run();
        assertThat(stored(role, "state")).isEqualTo("drifted");

        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.execute(superuser, "SELECT credsync.unmanage('dc\\_%')");
        }
        DriftReport report = run();

        assertThat(report.managed()).doesNotContain(role);
        assertThat(stored(role, "state")).isNull();
    }

    private DriftReport run() throws SQLException {
        try (Connection connection = connector.connect()) {
            return check.run(connection);
        }
    }

    private static DriftVerdict verdictOf(DriftReport report, String role) {
        return report.verdicts().stream().filter(v -> v.role().equals(role)).findFirst()
                .orElseThrow(() -> new AssertionError("no verdict for " + role + " in " + report));
    }

    /** Creates the role (its change captured) and records that change as delivered with {@code status}. */
    private long createDeliveredRole(String role, String password, String status) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser()) {
            RoleStatements.createRole(superuser, role, password);
            try (PreparedStatement deliver = superuser.prepareStatement("INSERT INTO credsync.delivery"
                    + " (outbox_id, event_id, role_name, status, reason) SELECT id, event_id, role_name, ?,"
                    + " CASE WHEN ? = 'failed' THEN 'AccessDeniedException from the test' END"
                    + " FROM credsync.outbox WHERE role_name = ? RETURNING outbox_id")) {
                deliver.setString(1, status);
                deliver.setString(2, status);
                deliver.setString(3, role);
                try (ResultSet row = deliver.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        }
    }

    private void writeSecret(String role, String password) {
        MotoServer.shared().client().createSecret(r -> r.name(fixture.secretName(role))
                .secretString("{\"username\":\"" + role + "\",\"password\":\"" + password + "\"}"));
    }

    private String stored(String role, String column) throws SQLException {
        try (Connection superuser = fixture.database().connectAsSuperuser();
                PreparedStatement statement = superuser.prepareStatement(
                        "SELECT " + column + "::text FROM credsync.drift_check WHERE role_name = ?")) {
            statement.setString(1, role);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
