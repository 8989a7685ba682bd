package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The slot's creation statement by server version. PostgreSQL 17 is not installed here, so its
 * statement is checked as text; {@code ReplicationSourceIT} runs the PostgreSQL 15 one for real.
 */
class SlotCatalogTest {

    @Test
    void shouldCreateAFailoverSlotOnPostgres17AndLater() {
        assertThat(SlotCatalog.createSql(170000)).endsWith("pg_create_logical_replication_slot(?, 'pgoutput', false,"
                + " false, true)");
        assertThat(SlotCatalog.createSql(180002)).contains("false, false, true)");
    }

    @Test
    void shouldCreateAPlainSlotBeforePostgres17WhichHasNoFailoverArgument() {
        assertThat(SlotCatalog.createSql(160004)).endsWith("pg_create_logical_replication_slot(?, 'pgoutput')");
        assertThat(SlotCatalog.createSql(150018)).endsWith("(?, 'pgoutput')");
    }
}
