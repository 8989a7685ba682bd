package io.credsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.status.DatabaseSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which states of the slot and the backlog make {@code status} warn, and what it advises. */
class StatusWarningTest {

    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final String RUN = "credsync run --config /etc/credsync.yaml";

    @Test
    void aHealthyActiveSlotWithNothingFailedNeedsNothing() {
        assertThat(codes(snapshot(true, true, "reserved", 0, null, 0))).isEmpty();
    }

    @Test
    void anInactiveSlotSaysHowMuchWalItHoldsAndBothWaysOut() {
        List<StatusWarning> warnings = StatusWarning.of(report(snapshot(true, false, "reserved", 0, null, 0)), LIMIT,
                RUN);

        assertThat(warnings).extracting(StatusWarning::code).containsExactly("slot_inactive");
        assertThat(warnings.get(0).message()).contains("credsync", "1.0 GiB (1073741824 bytes) of WAL",
                "until the disk fills");
        assertThat(warnings.get(0).advice()).containsExactly("start the consumer: " + RUN,
                "or, if credsync no longer runs against this database, drop the slot (nothing is lost: a consumer"
                        + " started later creates it again and delivers from the outbox table):"
                        + " SELECT pg_catalog.pg_drop_replication_slot('credsync');");
    }

    @Test
    void aLostSlotMustBeDroppedEvenWhileHeld() {
        assertThat(codes(snapshot(true, true, "lost", 0, null, 0))).containsExactly("slot_lost");
        assertThat(codes(snapshot(true, false, "unreserved", 0, null, 0)))
                .containsExactly("slot_inactive", "slot_unreserved");
    }

    @Test
    void failedEventsAndOldPendingOnesAreCountedAndExplained() {
        List<StatusWarning> warnings = StatusWarning.of(
                report(snapshot(false, false, null, 3, Duration.ofMinutes(6), 2)), LIMIT, RUN);

        assertThat(warnings).extracting(StatusWarning::code)
                .containsExactly("slot_missing", "failed_events", "pending_too_long");
        assertThat(warnings.get(1).message()).startsWith("2 events have failed or been rejected");
        assertThat(warnings.get(1).advice()).contains("fix the cause, then deliver them again: credsync replay"
                + " --all-failed");
        assertThat(warnings.get(2).message()).isEqualTo("3 events are pending, the oldest for 6m 0s (more than 5m 0s)");
        assertThat(codes(snapshot(true, true, "reserved", 1, Duration.ofMinutes(4), 0)))
                .as("younger than the limit").isEmpty();
    }

    private static List<String> codes(DatabaseSnapshot snapshot) {
        return StatusWarning.of(report(snapshot), LIMIT, RUN).stream().map(StatusWarning::code).toList();
    }

    private static StatusReport report(DatabaseSnapshot snapshot) {
        return new StatusReport("app", snapshot, null, List.of());
    }

    private static DatabaseSnapshot snapshot(boolean exists, boolean active, String walStatus, long pending,
            Duration oldest, long failed) {
        Long bytes = exists ? 1L << 30 : null;
        return new DatabaseSnapshot("credsync", exists, active, active ? 4242 : null, walStatus, bytes, bytes,
                pending, oldest, failed, Instant.parse("2024-05-01T12:00:00Z"));
    }
}
