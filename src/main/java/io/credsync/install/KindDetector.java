package io.credsync.install;

import java.util.Optional;

/**
 * Decides how credsync is (to be) installed in a database: natively or through pg_tle. Pure and
 * stateless: thread-safe.
 *
 * <p>Why not just look at {@code pg_available_extensions}: it lists the native extension's
 * files, but says nothing about which hook will call {@code credsync.capture}; and an extension
 * pg_tle defines may show there too. What decides is, in this order: an extension already
 * created (its kind is fixed until it is dropped); the kind asked for; then which hook module
 * the server preloads, because an install without its hook would capture nothing while looking
 * complete.
 */
public final class KindDetector {

    private static final String NATIVE_SETUP = "for self-managed PostgreSQL, run make -C sql/native install"
            + " and add credsync_passcheck to shared_preload_libraries (see config/postgresql-credsync.conf)";
    private static final String PGTLE_SETUP = "for RDS or Aurora, add pg_tle to shared_preload_libraries in the"
            + " parameter group and set pgtle.enable_password_check = require";

    private KindDetector() {
    }

    /**
     * @param facts what the server has
     * @param requested the kind asked for ({@code --kind}), or empty to detect it
     * @return the kind to install or upgrade
     * @throws InstallException when the kind cannot be decided, or the one asked for cannot work
     *     here; the message says what to set up
     */
    public static InstallKind decide(ServerFacts facts, Optional<InstallKind> requested) throws InstallException {
        Optional<InstallKind> installed = facts.installedKind();
        if (installed.isPresent()) {
            if (requested.isPresent() && requested.get() != installed.get()) {
                throw new InstallException("credsync " + facts.installedVersion().orElseThrow() + " is installed in"
                        + " database " + facts.database() + " " + installed.get().how() + ", not "
                        + requested.get().how() + ": to switch, DROP EXTENSION credsync first (it drops the"
                        + " outbox and delivery records), or leave out --kind");
            }
            return installed.get();
        }
        if (requested.isPresent()) {
            checkAvailable(facts, requested.get());
            return requested.get();
        }
        boolean nativeHook = facts.preloaded(InstallKind.NATIVE);
        boolean tleHook = facts.preloaded(InstallKind.PGTLE);
        if (nativeHook && tleHook) {
            throw new InstallException("both credsync_passcheck and pg_tle are in shared_preload_libraries: say which"
                    + " install you want with --kind native or --kind pgtle (and remove the other hook's module,"
                    + " or it checks passwords too)");
        }
        if (nativeHook) {
            if (!facts.nativeFilesAvailable()) {
                throw new InstallException("credsync_passcheck is preloaded, but the credsync extension's files are"
                        + " not installed on the server: run make -C sql/native install on the database host");
            }
            return InstallKind.NATIVE;
        }
        if (tleHook) {
            checkAvailable(facts, InstallKind.PGTLE);
            return InstallKind.PGTLE;
        }
        String files = facts.nativeFilesAvailable()
                ? " The native extension's files are installed, but without the preloaded module no password"
                        + " change would be captured; add it and restart, or pass --kind native to install now."
                : "";
        throw new InstallException("neither credsync_passcheck nor pg_tle is in shared_preload_libraries, so no"
                + " hook would capture password changes: " + NATIVE_SETUP + "; " + PGTLE_SETUP
                + ". Then restart PostgreSQL (reboot the instance) and run install again." + files);
    }

    private static void checkAvailable(ServerFacts facts, InstallKind kind) throws InstallException {
        if (kind == InstallKind.NATIVE && !facts.nativeFilesAvailable()) {
            throw new InstallException("the credsync extension's files are not installed on the server: "
                    + NATIVE_SETUP);
        }
        if (kind == InstallKind.PGTLE) {
            if (!facts.pgTleAvailable()) {
                throw new InstallException("pg_tle is not available on this server: " + PGTLE_SETUP
                        + " (pg_tle ships with RDS and Aurora; elsewhere, build it from github.com/aws/pg_tle)");
            }
            if (facts.fileDefaultVersion().isPresent() && facts.tleVersions().isEmpty()) {
                throw new InstallException("the native credsync extension's files are installed on this server,"
                        + " and pg_tle refuses to define an extension of the same name: install natively"
                        + " (--kind native), or remove credsync.control from the server's extension directory");
            }
        }
    }
}
