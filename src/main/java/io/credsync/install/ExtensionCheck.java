package io.credsync.install;

/**
 * Is the credsync extension installed, and at this credsync's version? An older schema works
 * until something needs what it lacks (a warning); none at all means nothing is captured.
 */
final class ExtensionCheck implements Check {

    @Override
    public String name() {
        return "credsync extension";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        ServerFacts facts = context.facts();
        if (facts.installedVersion().isEmpty()) {
            return CheckResult.fail("not installed in database " + facts.database(),
                    "credsync install (as a superuser, rds_superuser on RDS and Aurora)");
        }
        String installed = facts.installedVersion().get();
        String kind = facts.installedKind().orElseThrow().label();
        String detail = installed + " (" + kind + ")";
        if (installed.equals(SchemaScript.VERSION)) {
            return CheckResult.ok(detail + ", this credsync's version");
        }
        if (ExtensionVersions.isNewer(SchemaScript.VERSION, installed)) {
            return CheckResult.warn(detail + ", older than this credsync (" + SchemaScript.VERSION + ")",
                    "credsync install, which upgrades it");
        }
        return CheckResult.warn(detail + ", newer than this credsync (" + SchemaScript.VERSION + ")",
                "run the credsync release that matches the extension");
    }
}
