package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicationSettingsTest {

    @Test
    void defaultsUseTheExtensionsPublication() {
        ReplicationSettings settings = ReplicationSettings.defaults("credsync");

        assertThat(settings.publicationName()).isEqualTo("credsync_outbox");
        assertThat(settings.statusInterval()).as("PgJDBC's default: an idle stream wakes the consumer rarely")
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.initialBackoff()).isLessThanOrEqualTo(settings.maxBackoff());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Credsync", "credsync-slot", "credsync slot", "x'y",
        "a234567890123456789012345678901234567890123456789012345678901234"})
    void rejectsSlotNamesPostgresRejects(String name) {
        assertThatThrownBy(() -> ReplicationSettings.defaults(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Outbox", "1pub", "pub'lication", "a,b"})
    void rejectsPublicationNamesThatWouldNeedQuoting(String name) {
        assertThatThrownBy(() -> ReplicationSettings.defaults("credsync").withPublication(name))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsAStatusIntervalThatDisablesStatusUpdates() {
        assertThatThrownBy(() -> ReplicationSettings.defaults("credsync").withStatusInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBackoffsThatAreNotPositiveAndOrdered() {
        ReplicationSettings settings = ReplicationSettings.defaults("credsync");

        assertThatThrownBy(() -> settings.withBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
