package io.credsync.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code metrics} section: the HTTP endpoint serving {@code /metrics} (Prometheus) and
 * {@code /health/live} and {@code /health/ready}, and the optional export to CloudWatch.
 *
 * <p>Immutable and thread-safe. No component is null.
 *
 * @param enabled whether to serve the HTTP endpoint at all
 * @param host the address to listen on; {@code 0.0.0.0} for every interface (a container's)
 * @param port the TCP port, 0 for any free one
 * @param cloudwatchEnabled whether to also publish the metrics to CloudWatch
 * @param cloudwatchNamespace the CloudWatch namespace
 * @param cloudwatchStep how often to publish to CloudWatch
 */
public record MetricsConfig(boolean enabled, String host, int port, boolean cloudwatchEnabled,
        String cloudwatchNamespace, Duration cloudwatchStep) {

    static final List<String> KEYS = List.of("enabled", "host", "port", "cloudwatch_enabled", "cloudwatch_namespace",
            "cloudwatch_step");

    /** CloudWatch's rule for namespaces: 1 to 255 of these characters, not starting with "AWS/". */
    private static final Pattern NAMESPACE = Pattern.compile("[0-9A-Za-z.\\-_/#:]{1,255}");

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(cloudwatchNamespace, "cloudwatchNamespace");
        Objects.requireNonNull(cloudwatchStep, "cloudwatchStep");
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static MetricsConfig read(Section s) {
        boolean enabled = s.bool("enabled", true);
        String host = s.nonBlank("host", "0.0.0.0");
        int port = s.integer("port", 9464, 0, 65535);
        boolean cloudwatch = s.bool("cloudwatch_enabled", false);
        String namespace = s.nonBlank("cloudwatch_namespace", "credsync");
        if (!NAMESPACE.matcher(namespace).matches() || namespace.startsWith("AWS/")) {
            s.problem(s.scalar("cloudwatch_namespace").orElseThrow(), "must be 1 to 255 letters, digits or"
                    + " .-_/#: and not start with AWS/, got " + namespace);
        }
        Duration step = s.duration("cloudwatch_step", Duration.ofMinutes(1));
        return s.failed() ? null : new MetricsConfig(enabled, host, port, cloudwatch, namespace, step);
    }
}
