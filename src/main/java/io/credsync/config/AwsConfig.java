package io.credsync.config;

import io.credsync.config.Section.Setting;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * The {@code aws} section: the Region and, for emulators or VPC endpoints, the service
 * endpoints. Credentials are not configured here: the clients use the SDK's default chain (the
 * ECS task role, the instance profile, {@code AWS_ACCESS_KEY_ID}, ...).
 *
 * <p>Resolved here, from the environment given to the loader, rather than left to the SDK, so
 * that the effective values are checked at start-up and can be shown by {@code status} and
 * {@code doctor}. The order, first found wins:
 * <ul>
 *   <li>region: {@code CREDSYNC_AWS_REGION}, the file's {@code aws.region}, {@code AWS_REGION};
 *       required in the end;
 *   <li>endpoints: {@code CREDSYNC_AWS_KMS_ENDPOINT} / {@code CREDSYNC_AWS_SECRETSMANAGER_ENDPOINT},
 *       the file's keys, then the SDK's standard {@code AWS_ENDPOINT_URL_KMS} /
 *       {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, then {@code AWS_ENDPOINT_URL}; the standard
 *       variables are skipped when {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true}, as the SDK
 *       does. Absent means the SDK's usual public endpoint.
 * </ul>
 *
 * <p>Immutable and thread-safe. No component is null.
 *
 * @param region the Region of the KMS key and the secrets
 * @param kmsEndpoint KMS endpoint override
 * @param secretsManagerEndpoint Secrets Manager endpoint override
 */
public record AwsConfig(Region region, Optional<URI> kmsEndpoint, Optional<URI> secretsManagerEndpoint) {

    static final List<String> KEYS = List.of("region", "kms_endpoint", "secretsmanager_endpoint");

    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    public AwsConfig {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(kmsEndpoint, "kmsEndpoint");
        Objects.requireNonNull(secretsManagerEndpoint, "secretsManagerEndpoint");
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static AwsConfig read(Section s) {
        Optional<Setting> region = s.scalar("region").or(() -> standard(s, "region", "AWS_REGION"));
        if (region.isEmpty()) {
            s.problem("region", "required; set it in the file, with CREDSYNC_AWS_REGION, or with AWS_REGION");
        } else if (!REGION.matcher(region.get().text()).matches()) {
            s.problem(region.get(), "must be a Region name like eu-west-1, got " + region.get().text());
        }
        Optional<URI> kms = endpoint(s, "kms_endpoint", "AWS_ENDPOINT_URL_KMS");
        Optional<URI> secretsManager = endpoint(s, "secretsmanager_endpoint", "AWS_ENDPOINT_URL_SECRETS_MANAGER");
        return s.failed() ? null : new AwsConfig(Region.of(region.get().text()), kms, secretsManager);
    }

    private static Optional<URI> endpoint(Section s, String key, String serviceVariable) {
        Optional<Setting> setting = s.scalar(key);
        if (setting.isEmpty() && !"true".equalsIgnoreCase(s.environment().get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
            setting = standard(s, key, serviceVariable).or(() -> standard(s, key, "AWS_ENDPOINT_URL"));
        }
        return setting.flatMap(e -> uri(s, e));
    }

    /** A value from one of the SDK's own variables, named in messages like a key's. */
    private static Optional<Setting> standard(Section s, String key, String variable) {
        String value = s.environment().get(variable);
        return value == null || value.isBlank()
                ? Optional.empty()
                : Optional.of(new Setting(s.path(key), value, variable));
    }

    private static Optional<URI> uri(Section s, Setting setting) {
        try {
            URI uri = new URI(setting.text().strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // Reported below, with what is expected.
        }
        s.problem(setting, "must be an http or https URL like http://localhost:4566, got " + setting.text());
        return Optional.empty();
    }
}
