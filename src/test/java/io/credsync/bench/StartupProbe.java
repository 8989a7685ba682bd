package io.credsync.bench;

import io.credsync.testing.ConsumerProcess;
import io.credsync.testing.SyncFixture;
import java.time.Duration;
import java.util.Map;

/**
 * Starts a consumer through the fixture and times it from just before the launch to the first
 * 200 from {@code /health/ready} (replication streaming and the database reachable). The start
 * includes writing the configuration and picking a port, a millisecond or so, so the figure is
 * an upper bound of the process's own start-up.
 */
final class StartupProbe {

    /** A started consumer and how long it took to be ready. */
    record Started(ConsumerProcess consumer, double millisToReady) {
    }

    private StartupProbe() {
    }

    static Started start(SyncFixture fixture) throws Exception {
        return start(fixture, Map.of());
    }

    /** As {@link #start(SyncFixture)}, with settings overridden by environment variables. */
    static Started start(SyncFixture fixture, Map<String, String> settings) throws Exception {
        long launched = System.nanoTime();
        ConsumerProcess consumer = fixture.startConsumer(settings);
        long ready = new ConsumerEndpoints(consumer.metricsPort()).awaitReady(Duration.ofSeconds(30));
        return new Started(consumer, Millis.between(launched, ready));
    }
}
