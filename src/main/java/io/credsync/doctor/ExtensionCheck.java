package io.credsync.doctor;

import io.credsync.install.ExtensionVersions;
import io.credsync.install.InstallKind;
import io.credsync.install.SchemaScript;
import io.credsync.install.ServerFacts;

/**
 * Is the credsync extension installed, and at this credsync's version? An older schema works
 * until something needs what it lacks (a warning, whose fix is the upgrade that keeps the outbox
 * and the delivery records); none at all means nothing is captured.
 */
final class ExtensionCheck implements Check {

    @Override
    public String name() {
        return "credsync extension";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        return judge(context.facts());
    }

    /** The verdict on {@code facts}; pure. */
    static CheckResult judge(ServerFacts facts) {
        if (facts.installedVersion().isEmpty()) {
            return CheckResult.fail("not installed in database " + facts.database(),
                    "credsync install (as a superuser, rds_superuser on RDS and Aurora)");
        }
        String installed = facts.installedVersion().get();
        InstallKind kind = facts.installedKind().orElseThrow();
        String detail = installed + " (" + kind.label() + ")";
        String version = SchemaScript.VERSION;
        if (installed.equals(version)) {
            return CheckResult.ok(detail + ", this credsync's version");
        }
        if (ExtensionVersions.isNewer(installed, version)) {
            return CheckResult.warn(detail + ", newer than this credsync (" + version + ")",
                    "run the credsync release that matches the extension");
        }
        String keeps = "ALTER EXTENSION credsync UPDATE, which keeps the outbox and the delivery records (never DROP"
                + " EXTENSION, which drops them)";
        if (kind == InstallKind.PGTLE) {
            return CheckResult.warn(detail + ", older than this credsync (" + version + ")",
                    "credsync install (as rds_superuser): it adds the update to pg_tle"
                            + " (pgtle.install_update_path) and runs " + keeps
                            + "; credsync install --print-pgtle-sql --from " + installed + " prints that SQL");
        }
        String files = facts.fileDefaultVersion().orElse(null);
        if (files == null || ExtensionVersions.isNewer(version, files)) {
            return CheckResult.warn(detail + ", older than this credsync (" + version + "), and the server's"
                            + " extension files are " + (files == null ? "missing" : files),
                    "on the database host, make -C sql/native install from credsync " + version
                            + " (it installs the update scripts), then credsync install (as a superuser): it runs "
                            + keeps);
        }
        return CheckResult.warn(detail + ", older than this credsync (" + version + ")",
                "credsync install (as a superuser): it runs " + keeps);
    }
}
