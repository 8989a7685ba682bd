package io.credsync.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * credsync's whole configuration, one record per section of {@code config/credsync.yaml}.
 *
 * <p>Where a value comes from, first found wins: the environment variable
 * {@code CREDSYNC_<SECTION>_<KEY>} ({@code CREDSYNC_DATABASE_HOST}), the YAML file, then for
 * {@code aws} the AWS SDK's standard variables (see {@link AwsConfig}), then the default. The file
 * is optional: a container can be configured by its environment alone.
 *
 * <p>Immutable and thread-safe; no component is null. {@code toString} is safe to log: the
 * password prints as {@code ****}.
 *
 * @param database where the database is and how to log in to it
 * @param replication the slot, the publication and the stream's timing
 * @param aws the Region and endpoint overrides
 * @param secrets the secrets' names and what a created one looks like
 * @param delivery retries and batches of writes to Secrets Manager
 * @param metrics where the metrics and health endpoints listen
 * @param drift how often every managed role's secret is checked against the database
 */
public record CredsyncConfig(
        DatabaseConfig database,
        ReplicationConfig replication,
        AwsConfig aws,
        SecretsConfig secrets,
        DeliveryConfig delivery,
        MetricsConfig metrics,
        DriftConfig drift) {

    public CredsyncConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(aws, "aws");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(drift, "drift");
    }

    /**
     * Loads and checks the configuration, reading the database password (from the environment
     * variable or file the configuration names) on the way.
     *
     * @param yamlFile the YAML file, or null to configure from {@code environment} alone; a file
     *     named here must exist
     * @param environment the environment variables, usually {@code System.getenv()}; passed in so
     *     that nothing else is read by accident (and tests need not touch the real one)
     * @throws ConfigException listing every problem, each starting with the key it is about
     *     ({@code database.port: must be between 1 and 65535, got 0}) or the file's path
     */
    public static CredsyncConfig load(Path yamlFile, Map<String, String> environment) throws ConfigException {
        return ConfigReader.read(yamlFile, environment);
    }
}
