package io.credsync.install;

import io.credsync.install.ServerFacts.Setting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hand-built {@link ServerFacts} for unit tests: a fluent copy-on-write builder. */
public final class TestFacts {

    private final Map<String, Setting> settings = new HashMap<>();
    private boolean superuser = true;
    private String installed;
    private String fileDefault;
    private boolean pgTleAvailable;
    private String pgTle;
    private List<String> tleVersions = List.of();
    private boolean rds;

    public static TestFacts server() {
        return new TestFacts().set("wal_level", "logical");
    }

    public TestFacts set(String name, String value) {
        settings.put(name, new Setting(value, ""));
        return this;
    }

    public TestFacts preload(String libraries) {
        return set("shared_preload_libraries", libraries);
    }

    /** As a role that may not read shared_preload_libraries sees the server. */
    public TestFacts preloadHidden() {
        settings.remove("shared_preload_libraries");
        return this;
    }

    public TestFacts nativeFiles(String defaultVersion) {
        fileDefault = defaultVersion;
        return this;
    }

    public TestFacts installed(String version) {
        installed = version;
        return this;
    }

    public TestFacts pgTleAvailable() {
        pgTleAvailable = true;
        return this;
    }

    public TestFacts pgTleCreated(String... credsyncVersions) {
        pgTleAvailable = true;
        pgTle = "1.5.3";
        tleVersions = List.of(credsyncVersions);
        return this;
    }

    public TestFacts notSuperuser() {
        superuser = false;
        return this;
    }

    public TestFacts rds() {
        rds = true;
        return this;
    }

    public ServerFacts build() {
        return new ServerFacts(150008, "app", "admin", superuser, settings, Optional.ofNullable(installed),
                Optional.ofNullable(fileDefault), pgTleAvailable, Optional.ofNullable(pgTle), tleVersions, rds);
    }
}
