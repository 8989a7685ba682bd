package io.credsync.doctor;

import io.credsync.install.InstallKind;

/**
 * A setting of the native module that must be on: {@code credsync_passcheck.enabled} (off, the
 * hook records nothing: a failure) or {@code credsync_passcheck.require} (off, a password change
 * in a database without credsync passes unrecorded: a warning). Applies to the native install.
 */
final class NativeSettingCheck implements Check {

    private final String setting;
    private final CheckStatus whenOff;
    private final String consequence;

    private NativeSettingCheck(String setting, CheckStatus whenOff, String consequence) {
        this.setting = setting;
        this.whenOff = whenOff;
        this.consequence = consequence;
    }

    static NativeSettingCheck enabled() {
        return new NativeSettingCheck("credsync_passcheck.enabled", CheckStatus.FAIL,
                "the hook records nothing and refuses nothing");
    }

    static NativeSettingCheck require() {
        return new NativeSettingCheck("credsync_passcheck.require", CheckStatus.WARN,
                "a password change in a database where credsync is not installed passes unrecorded");
    }

    @Override
    public String name() {
        return setting;
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        if (context.kind().filter(k -> k == InstallKind.NATIVE).isEmpty()) {
            return CheckResult.notApplicable("not the native install");
        }
        String value = context.facts().value(setting)
                .orElseThrow(() -> new CheckSkipped("credsync_passcheck is not loaded"));
        if (value.equals("on")) {
            return CheckResult.ok("on");
        }
        String fix = "set " + setting + " = on (the default) in postgresql.conf and reload; check that no"
                + " ALTER ROLE/DATABASE ... SET turns it off";
        return whenOff == CheckStatus.FAIL ? CheckResult.fail(value + ": " + consequence, fix)
                : CheckResult.warn(value + ": " + consequence, fix);
    }
}
