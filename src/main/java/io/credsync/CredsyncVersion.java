package io.credsync;

/**
 * credsync's version, looked up in one place for the CLI's {@code --version} and the consumer's
 * start-up log line. It sits at the root because both the CLI and the service use it and
 * neither may depend on the other for it.
 *
 * <p>Stateless and thread-safe.
 */
public final class CredsyncVersion {

    private CredsyncVersion() {
    }

    /**
     * The {@code Implementation-Version} of the jar's manifest (the Maven project version, set by
     * the shade plugin), or {@code development} when run from classes; never {@code null}.
     */
    public static String current() {
        String version = CredsyncVersion.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }
}
