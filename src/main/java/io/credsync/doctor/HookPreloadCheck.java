package io.credsync.doctor;

import io.credsync.install.InstallKind;
import io.credsync.install.ServerFacts;
import java.util.Optional;

/**
 * Is the passcheck hook's module preloaded: {@code credsync_passcheck} for the native install,
 * {@code pg_tle} for the pg_tle one? Without it no password change is captured, while everything
 * else looks installed.
 */
final class HookPreloadCheck implements Check {

    @Override
    public String name() {
        return "passcheck hook";
    }

    @Override
    public CheckResult run(DoctorContext context) throws Exception {
        ServerFacts facts = context.facts();
        Optional<InstallKind> kind = context.kind();
        String restart = facts.rds() ? "in the parameter group, then reboot" : "in postgresql.conf, then restart";
        if (kind.isEmpty()) {
            boolean both = facts.preloaded(InstallKind.NATIVE) && facts.preloaded(InstallKind.PGTLE);
            return CheckResult.fail(both ? "both credsync_passcheck and pg_tle are preloaded, and credsync is not"
                            + " installed" : "neither credsync_passcheck nor pg_tle is preloaded",
                    both ? "keep one of them in shared_preload_libraries " + restart + ", then credsync install"
                            : "add credsync_passcheck (self-managed) or pg_tle (RDS, Aurora) to"
                                    + " shared_preload_libraries " + restart + ", then credsync install");
        }
        String module = kind.get().module();
        String how = facts.preloadLibraries().isPresent() ? "in shared_preload_libraries"
                : "loaded (shared_preload_libraries is not readable by " + facts.currentUser() + ")";
        if (facts.preloaded(kind.get())) {
            return CheckResult.ok(module + " " + how + ", for the " + kind.get().label() + " install");
        }
        return CheckResult.fail(module + " is not preloaded, so no password change is captured",
                "add " + module + " to shared_preload_libraries " + restart);
    }
}
