package io.credsync.metrics;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The Prometheus registry of a credsync process: common tag {@code application=credsync}, and
 * the JVM and process meters (memory, garbage collection, processor, uptime).
 *
 * <p>Thread-safe, as every Micrometer registry. A subclass only so that {@link #close()} also
 * unhooks the garbage-collection listeners, which would otherwise outlive the registry.
 */
public final class CredsyncMeterRegistry extends PrometheusMeterRegistry {

    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    private CredsyncMeterRegistry() {
        super(PrometheusConfig.DEFAULT);
    }

    /** A new registry with the common tag and the JVM and process meters bound. */
    public static CredsyncMeterRegistry create() {
        CredsyncMeterRegistry registry = new CredsyncMeterRegistry();
        registry.config().commonTags("application", "credsync");
        new JvmMemoryMetrics().bindTo(registry);
        registry.gcMetrics.bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    @Override
    public void close() {
        try {
            gcMetrics.close();
        } finally {
            super.close();
        }
    }
}
