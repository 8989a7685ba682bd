package io.credsync.install;

import java.util.Locale;

/** How the database side is installed. */
public enum InstallKind {
    /**
     * Self-managed PostgreSQL: the {@code credsync} extension from files in PostgreSQL's
     * directories ({@code make -C sql/native install}) and the {@code credsync_passcheck} module
     * in {@code shared_preload_libraries}.
     */
    NATIVE("native extension", "as a native extension", "credsync_passcheck"),
    /** RDS, Aurora, or any server with pg_tle: the same script through {@code pgtle.install_extension}. */
    PGTLE("pg_tle", "through pg_tle", "pg_tle");

    private final String label;
    private final String how;
    private final String module;

    InstallKind(String label, String how, String module) {
        this.label = label;
        this.how = how;
        this.module = module;
    }

    /** How it was installed, in a sentence: {@code as a native extension}, {@code through pg_tle}. */
    public String how() {
        return how;
    }

    /** How messages name it: {@code native extension} or {@code pg_tle}. */
    public String label() {
        return label;
    }

    /** The library that must be in {@code shared_preload_libraries} for the hook to run. */
    public String module() {
        return module;
    }

    /** The value on the command line: {@code native} or {@code pgtle}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
