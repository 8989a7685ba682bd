package io.credsync.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credsync.config.CredsyncConfig;
import io.credsync.keys.AwsCallException;
import io.credsync.keys.AwsErrors;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

class DoctorTest {

    /** A database that cannot be reached: every database check but the first is skipped. */
    private static final DoctorContext.ConnectionOpener UNREACHABLE = () -> {
        throw new SQLException("Connection refused", "08001");
    };

    private static DoctorContext context() throws Exception {
        CredsyncConfig config = CredsyncConfig.load(null, Map.of("CREDSYNC_DATABASE_NAME", "app",
                "CREDSYNC_DATABASE_USER", "credsync", "CREDSYNC_DB_PASSWORD", "x", "AWS_REGION", "eu-west-1"));
        return new DoctorContext(config, "credsync", UNREACHABLE,
                () -> {
                    throw new AssertionError("no check here may reach KMS");
                },
                () -> {
                    throw new AssertionError("no check here may reach Secrets Manager");
                });
    }

    private static Check check(String name, ThrowingRun run) {
        return new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult run(DoctorContext context) throws Exception {
                return run.run(context);
            }
        };
    }

    @FunctionalInterface
    private interface ThrowingRun {
        CheckResult run(DoctorContext context) throws Exception;
    }

    @Test
    void anUnreachableDatabaseFailsTheConnectionCheckAndSkipsTheOthersTryingOnce() throws Exception {
        List<String> printed = new ArrayList<>();
        try (DoctorContext context = context()) {
            List<Doctor.Finding> findings = new Doctor(List.of(new ConnectionCheck(), new WalLevelCheck(),
                    new ExtensionCheck())).run(context, f -> printed.addAll(f.lines()));

            assertThat(Doctor.passed(findings)).isFalse();
        }
        assertThat(printed).containsExactly(
                "FAIL  database connection: Connection refused (SQLState 08001)",
                "      fix: cannot reach PostgreSQL: check database.host and database.port, and that the network"
                        + " (security groups, firewalls) lets this host connect",
                "skip  wal_level: no database connection",
                "skip  credsync extension: no database connection");
    }

    @Test
    void exceptionsBecomeFindingsAndNeverStopTheOtherChecks() throws Exception {
        AwsServiceException denied = AwsServiceException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").build()).build();
        List<Check> checks = List.of(
                check("sql", c -> {
                    throw new SQLException("ERROR: permission denied for table managed_role", "42501");
                }),
                check("aws", c -> {
                    throw new AwsCallException(AwsErrors.kms("Decrypt", "k", denied), denied);
                }),
                check("bug", c -> {
                    throw new IllegalStateException("oops");
                }),
                check("n/a", c -> CheckResult.notApplicable("not this install")),
                check("warn", c -> CheckResult.warn("slot missing", "start it")));
        try (DoctorContext context = context()) {
            List<Doctor.Finding> findings = new Doctor(checks).run(context, f -> { });

            assertThat(findings).extracting(Doctor.Finding::name).containsExactly("sql", "aws", "bug", "warn");
            assertThat(findings).extracting(f -> f.result().status()).containsExactly(
                    CheckStatus.FAIL, CheckStatus.FAIL, CheckStatus.FAIL, CheckStatus.WARN);
            assertThat(findings.get(0).result().fix()).startsWith("the login lacks a privilege");
            assertThat(findings.get(1).result().detail()).isEqualTo("kms:Decrypt on k failed with AccessDeniedException");
            assertThat(findings.get(2).result().detail()).contains("IllegalStateException: oops");
        }
    }

    @Test
    void warningsAlonePass() {
        assertThat(Doctor.passed(List.of(new Doctor.Finding("a", CheckResult.warn("w", "f")),
                new Doctor.Finding("b", CheckResult.ok("fine")), new Doctor.Finding("c", CheckResult.skip("s")))))
                .isTrue();
    }

    @Test
    void onlyWarningsAndFailuresCarryAFix() {
        assertThatThrownBy(() -> CheckResult.fail("broken", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CheckResult(CheckStatus.OK, "fine", "do this"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Doctor.Finding("wal_level", CheckResult.ok("logical")).lines())
                .containsExactly("ok    wal_level: logical");
    }

    @Test
    void everyStandardCheckHasADistinctName() {
        List<String> names = DoctorChecks.standard().stream().map(Check::name).toList();

        assertThat(names).doesNotHaveDuplicates().contains("wal_level", "pgtle.passcheck_db_name", "KMS decrypt",
                "Secrets Manager access");
    }
}
