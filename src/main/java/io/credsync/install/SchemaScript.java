package io.credsync.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The database side as this jar carries it: {@code sql/credsync.sql} (the one script of a fresh
 * install), {@code sql/pgtle/adapter.sql}, the update scripts {@code sql/updates/credsync--A--B.sql}
 * from each earlier release to the next, all copied into the jar by the build, and the version and
 * description that {@code sql/native/credsync.control} declares. docs/upgrading.md is the
 * convention.
 *
 * <p>pg_tle's forms are made by the same rules as {@code sql/pgtle/build-installer}: a script and
 * the adapter concatenated, trailing newlines dropped (as the shell's {@code $(cat ...)} does), and
 * refused when they contain a dollar-quote tag the wrapping reserves: {@value #INSTALLER_TAG},
 * which wraps a script in {@link PgTleStatements}, or {@value #PGTLE_RESERVED}, which pg_tle itself
 * uses to wrap it in a function. The adapter is re-created whole by every update (it is written to
 * run again), so an update script never needs a piece of its own for pg_tle.
 *
 * <p>Immutable and thread-safe.
 */
public final class SchemaScript {

    /**
     * The extension version this jar installs; {@code sql/native/credsync.control}'s
     * {@code default_version}, which is the source ({@code SchemaScriptTest} fails when they
     * differ: the control file is not among the jar's resources).
     */
    public static final String VERSION = "0.2.0";

    /**
     * Every released version, oldest first, ending with {@link #VERSION}: each one and the next
     * are joined by the update script {@code sql/updates/credsync--<it>--<next>.sql}
     * ({@code SchemaScriptTest} checks the list against the directory).
     */
    public static final List<String> RELEASES = List.of("0.1.0", "0.2.0");

    /** The extension's comment, as in credsync.control and build-installer. */
    public static final String DESCRIPTION =
            "credsync: capture password changes into a KMS-encrypted outbox for AWS Secrets Manager";

    /** The extensions credsync's script needs, as pg_tle's {@code requires}. */
    public static final List<String> REQUIRES = List.of("pgcrypto");

    /** The extension's name. */
    public static final String EXTENSION = "credsync";

    static final String CORE_RESOURCE = "/io/credsync/sql/credsync.sql";
    static final String ADAPTER_RESOURCE = "/io/credsync/sql/pgtle/adapter.sql";
    static final String UPDATES_RESOURCE = "/io/credsync/sql/updates/";
    static final String INSTALLER_TAG = "$_credsync_install_$";
    static final String PGTLE_RESERVED = "$_pgtle_";

    private final String pgTleScript;
    /** By step, {@code 0.1.0--0.2.0}: the update script followed by the adapter. */
    private final Map<String, String> pgTleUpdates;

    private SchemaScript(String pgTleScript, Map<String, String> pgTleUpdates) {
        this.pgTleScript = pgTleScript;
        this.pgTleUpdates = Map.copyOf(pgTleUpdates);
    }

    /**
     * The scripts the jar carries.
     *
     * @throws IllegalStateException if a resource is missing (a broken build) or a reserved tag
     *     appears in the scripts
     */
    public static SchemaScript fromClasspath() {
        Map<String, String> updates = new LinkedHashMap<>();
        for (int i = 1; i < RELEASES.size(); i++) {
            String step = step(RELEASES.get(i - 1), RELEASES.get(i));
            updates.put(step, resource(UPDATES_RESOURCE + EXTENSION + "--" + step + ".sql"));
        }
        return of(resource(CORE_RESOURCE), resource(ADAPTER_RESOURCE), updates);
    }

    /**
     * @param core the text of credsync.sql
     * @param adapter the text of pgtle/adapter.sql
     * @param updates the text of each update script, by step ({@code 0.1.0--0.2.0})
     * @throws IllegalStateException if they contain a reserved dollar-quote tag
     */
    static SchemaScript of(String core, String adapter, Map<String, String> updates) {
        Objects.requireNonNull(adapter, "adapter");
        Map<String, String> pgTleUpdates = new LinkedHashMap<>();
        updates.forEach((step, update) -> pgTleUpdates.put(step, wrappable(update + adapter)));
        return new SchemaScript(wrappable(Objects.requireNonNull(core, "core") + adapter), pgTleUpdates);
    }

    /** A script with only the fresh install, for tests of the wrapping. */
    static SchemaScript of(String core, String adapter) {
        return of(core, adapter, Map.of());
    }

    /** What {@code pgtle.install_extension} takes as {@code ext}: credsync.sql then the adapter. */
    public String pgTleScript() {
        return pgTleScript;
    }

    /**
     * What {@code pgtle.install_update_path} takes as {@code ext} for one step: the update script
     * then the adapter.
     *
     * @throws IllegalArgumentException if this jar has no such step
     */
    public String pgTleUpdateScript(String from, String to) {
        String script = pgTleUpdates.get(step(from, to));
        if (script == null) {
            throw new IllegalArgumentException("no update script from credsync " + from + " to " + to);
        }
        return script;
    }

    /**
     * The releases an update from {@code from} to {@link #VERSION} passes through, each paired with
     * the one before: {@code [[0.1.0, 0.2.0], [0.2.0, 0.3.0]]} from 0.1.0. Empty from VERSION.
     *
     * @throws InstallException if {@code from} is not a release this jar knows (nothing to update
     *     from), or is newer than this jar's
     */
    public static List<List<String>> updateSteps(String from) throws InstallException {
        int start = RELEASES.indexOf(from);
        if (start < 0) {
            throw new InstallException("credsync " + from + " is not a release this credsync (" + VERSION
                    + ") can update from; it updates from " + String.join(", ", RELEASES.subList(0,
                    RELEASES.size() - 1)));
        }
        List<List<String>> steps = new ArrayList<>();
        for (int i = start + 1; i < RELEASES.size(); i++) {
            steps.add(List.of(RELEASES.get(i - 1), RELEASES.get(i)));
        }
        return steps;
    }

    /**
     * The psql script that installs credsync through pg_tle into a database without it, exactly as
     * {@code sql/pgtle/build-installer} prints it without options.
     */
    public String installerSql() {
        return PgTleStatements.installerSql(this, PgTleStatements.Request.fresh());
    }

    private static String step(String from, String to) {
        return from + "--" + to;
    }

    private static String wrappable(String text) {
        String script = stripTrailingNewlines(text);
        if (script.contains(INSTALLER_TAG) || script.contains(PGTLE_RESERVED)) {
            throw new IllegalStateException("the credsync SQL contains a reserved dollar-quote tag ("
                    + INSTALLER_TAG + " or " + PGTLE_RESERVED + "...): it cannot be wrapped for pg_tle");
        }
        return script;
    }

    private static String stripTrailingNewlines(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.substring(0, end);
    }

    private static String resource(String name) {
        try (InputStream in = SchemaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + name + ": it was built without the SQL resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the jar", e);
        }
    }
}
