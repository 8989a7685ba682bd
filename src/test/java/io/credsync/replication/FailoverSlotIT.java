package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.testing.PostgresCluster;
import io.credsync.testing.Postgres17;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL 17 the consumer's slot is created with {@code failover = true}, so that a standby
 * with {@code sync_replication_slots} keeps it across a failover: checked on a real PostgreSQL 17
 * server (from the zonky binaries, see {@link Postgres17}; in the container suites, a container of
 * credsync's PostgreSQL 17 image).
 */
class FailoverSlotIT {

    @Test
    void shouldCreateTheSlotAsAFailoverSlotOnPostgres17() throws Exception {
        try (PostgresCluster pg17 = PostgresCluster.start(Postgres17.clusterOptions());
                Connection connection = pg17.connectAsSuperuser("postgres")) {
            assertThat(SlotCatalog.serverVersionNum(connection)).isBetween(170000, 179999);

            assertThat(SlotCatalog.create(connection, "credsync_failover")).isPresent();

            try (Statement statement = connection.createStatement();
                    ResultSet slot = statement.executeQuery("SELECT plugin, slot_type, failover, temporary"
                            + " FROM pg_replication_slots WHERE slot_name = 'credsync_failover'")) {
                assertThat(slot.next()).isTrue();
                assertThat(slot.getString("plugin")).isEqualTo("pgoutput");
                assertThat(slot.getString("slot_type")).isEqualTo("logical");
                assertThat(slot.getBoolean("failover")).as("failover").isTrue();
                assertThat(slot.getBoolean("temporary")).as("temporary").isFalse();
            }
            assertThat(SlotCatalog.create(connection, "credsync_failover")).as("a second create finds it there")
                    .isEmpty();
        }
    }
}
