package io.credsync.config;

import java.util.List;
import java.util.Objects;

/**
 * The {@code metrics} section: the HTTP endpoint serving {@code /metrics} (Prometheus) and
 * {@code /health/live} and {@code /health/ready}.
 *
 * <p>Immutable and thread-safe. No component is null.
 *
 * @param enabled whether to serve them at all
 * @param host the address to listen on; {@code 0.0.0.0} for every interface (a container's)
 * @param port the TCP port, 0 for any free one
 */
public record MetricsConfig(boolean enabled, String host, int port) {

    static final List<String> KEYS = List.of("enabled", "host", "port");

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
    }

    /** Reads and checks the section; null if anything in it is wrong (reported to {@code s}). */
    static MetricsConfig read(Section s) {
        boolean enabled = s.bool("enabled", true);
        String host = s.nonBlank("host", "0.0.0.0");
        int port = s.integer("port", 9464, 0, 65535);
        return s.failed() ? null : new MetricsConfig(enabled, host, port);
    }
}
