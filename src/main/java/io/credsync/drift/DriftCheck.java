package io.credsync.drift;

import io.credsync.secrets.SecretNamer;
import io.credsync.secrets.SecretWriteException;
import io.credsync.secrets.SecretsManagerPasswordReader;
import io.credsync.secrets.StoredPassword;
import io.credsync.verify.LoginVerifier;
import io.credsync.verify.RoleLogin;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over the managed roles: for each, read the secret's current password and try the
 * login, as an application reading the secret would. Verdicts are recorded in
 * {@code credsync.drift_check}.
 *
 * <p>What is not drift: a role with outbox rows still undelivered (its secret is about to change),
 * and a role whose newest outbox row changed while it was checked (its password did: the failed
 * login proves nothing). Both are skipped until the next pass. A drift verdict is only given after
 * reading the role's progress a second time, after the login.
 *
 * <p>Not thread-safe: one pass at a time, on one connection.
 */
public final class DriftCheck {

    private static final Logger log = LoggerFactory.getLogger(DriftCheck.class);

    private final SecretsManagerPasswordReader reader;
    private final LoginVerifier verifier;
    private final SecretNamer namer;
    private final String databaseName;

    public DriftCheck(SecretsManagerPasswordReader reader, LoginVerifier verifier, SecretNamer namer,
            String databaseName) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.namer = Objects.requireNonNull(namer, "namer");
        this.databaseName = Objects.requireNonNull(databaseName, "databaseName");
    }

    /**
     * Checks every managed role and records the verdicts.
     *
     * @throws SQLException when the database fails (the pass is abandoned; nothing half-recorded)
     */
    public DriftReport run(Connection connection) throws SQLException {
        List<String> managed = DriftStore.managedRoles(connection);
        List<DriftVerdict> verdicts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String role : managed) {
            Optional<DriftVerdict> verdict = check(connection, role);
            if (verdict.isPresent()) {
                verdicts.add(verdict.get());
            } else {
                skipped.add(role);
            }
        }
        DriftStore.record(connection, verdicts, managed);
        return new DriftReport(managed, verdicts, skipped);
    }

    private Optional<DriftVerdict> check(Connection connection, String role) throws SQLException {
        RoleProgress before = DriftStore.progress(connection, role);
        if (before.undelivered()) {
            return Optional.empty();
        }
        String secretName;
        try {
            secretName = namer.nameFor(databaseName, role);
        } catch (SecretWriteException e) {
            return Optional.of(new DriftVerdict(role, DriftState.UNVERIFIABLE, e.getMessage(),
                    "set secrets.overrides for this role to a valid secret name", null, false));
        }
        StoredPassword stored;
        try {
            stored = reader.read(secretName);
        } catch (SecretWriteException e) {
            log.warn("drift check of role {} skipped: {}", role, e.getMessage());
            return Optional.empty();
        }
        String problem;
        if (stored instanceof StoredPassword.Missing) {
            problem = "secret " + secretName + " does not exist";
        } else if (stored instanceof StoredPassword.Unusable unusable) {
            problem = unusable.reason();
        } else {
            StoredPassword.Found found = (StoredPassword.Found) stored;
            LoginVerifier.Verdict login = verifier.verify(role, found.password(), RoleLogin.read(connection, role));
            if (login instanceof LoginVerifier.LogsIn) {
                return Optional.of(DriftVerdict.inSync(role, secretName));
            }
            if (login instanceof LoginVerifier.CannotTry cannot) {
                return Optional.of(new DriftVerdict(role, DriftState.UNVERIFIABLE, cannot.reason(),
                        "let the role log in with its password, or accept that its secret cannot be checked",
                        secretName, false));
            }
            problem = "the password in secret " + secretName + " does not log in";
        }
        RoleProgress after = DriftStore.progress(connection, role);
        if (!after.newestEvent().equals(before.newestEvent()) || after.undelivered()) {
            // The role changed while it was checked: the next pass sees the new state.
            return Optional.empty();
        }
        if (after.newestFailed()) {
            long newest = after.newestEvent().getAsLong();
            return Optional.of(new DriftVerdict(role, DriftState.DRIFTED, problem + ", and its newest change (outbox id "
                    + newest + ") was " + after.newestStatus().orElseThrow()
                    + after.newestReason().map(r -> ": " + r).orElse(""),
                    "fix that cause, then: credsync replay " + newest, secretName, false));
        }
        return Optional.of(new DriftVerdict(role, DriftState.DRIFTED, problem,
                "SELECT credsync.rotate('" + role.replace("'", "''") + "');", secretName, true));
    }
}
