package io.credsync.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Environments and files for the configuration tests; the real environment is never read. */
public final class ConfigFixtures {
    public static final String PASSWORD = "s3cret-Pa55word";

    private ConfigFixtures() {
    }

    /** The least an environment must set when there is no file; modifiable. */
    public static Map<String, String> minimalEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("CREDSYNC_DATABASE_NAME", "appdb");
        env.put("CREDSYNC_DATABASE_USER", "credsync");
        env.put("CREDSYNC_DB_PASSWORD", PASSWORD);
        env.put("AWS_REGION", "eu-west-1");
        return env;
    }

    /** {@link #minimalEnvironment()} plus pairs of name and value. */
    public static Map<String, String> environment(String... namesAndValues) {
        Map<String, String> env = minimalEnvironment();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    public static Path write(Path dir, String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    public static CredsyncConfig load(Map<String, String> env) throws ConfigException {
        return CredsyncConfig.load(null, env);
    }
}
