package io.credsync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.credsync.replication.SqlStateClassifier.Action;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SqlStateClassifierTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "08001, RECONNECT",          // cannot connect: the server is down or restarting
        "08006, RECONNECT",          // connection failure while streaming
        "08003, RECONNECT",          // the stream was already closed
        "08P01, RECONNECT",          // protocol violation: start over on a fresh connection
        "57P01, RECONNECT",          // admin_shutdown: pg_ctl stop -m fast, pg_terminate_backend
        "57P02, RECONNECT",          // crash_shutdown
        "57P03, RECONNECT",          // cannot_connect_now: starting up or in recovery
        "53300, RECONNECT",          // too_many_connections (max_wal_senders)
        "55006, WAIT_FOR_SLOT",      // object_in_use: another instance streams from the slot
        "42704, CHECK_SLOT_AND_PUBLICATION",
        "28P01, FAIL",               // invalid_password
        "28000, FAIL",               // invalid_authorization_specification (pg_hba)
        "3D000, FAIL",               // the database does not exist
        "42501, FAIL",               // no REPLICATION attribute
        "55000, FAIL",               // wal_level, an invalidated slot
        "XX000, UNEXPECTED",
        "22023, UNEXPECTED",
    })
    void classifiesBySqlState(String state, Action action) {
        assertThat(SqlStateClassifier.classify(new SQLException("any text; it is not read", state)))
                .isEqualTo(action);
    }

    @Test
    void findsTheSqlStateOfAWrappedException() {
        SQLException outer = new SQLException("wrapper", null, new SQLException("inner", "57P01"));

        assertThat(SqlStateClassifier.sqlState(outer)).isEqualTo("57P01");
        assertThat(SqlStateClassifier.classify(outer)).isEqualTo(Action.RECONNECT);
    }

    @Test
    void findsTheSqlStateOfAChainedException() {
        SQLException first = new SQLException("batch");
        first.setNextException(new SQLException("detail", "55006"));

        assertThat(SqlStateClassifier.classify(first)).isEqualTo(Action.WAIT_FOR_SLOT);
    }

    @Test
    void anExceptionWithoutSqlStateIsUnexpected() {
        assertThat(SqlStateClassifier.classify(new SQLException("no state", null, new IOException("reset"))))
                .isEqualTo(Action.UNEXPECTED);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "08001, true",               // refused, unknown host, connect timeout: PgJDBC's 08001
        "08006, true",               // the connection broke during the login
        "57P01, true",               // the server is shutting down (fast)
        "57P03, true",               // the server is starting up, shutting down or in recovery
        "53300, true",               // no free connection slots
        "08004, false",              // the server does not do the SSL that database.ssl_mode asks for
        "08P01, false",              // not PostgreSQL at that port
        "28P01, false",              // wrong password
        "28000, false",              // pg_hba.conf refuses, or no such role
        "3D000, false",              // no such database
        "42501, false",              // no REPLICATION attribute
        "XX000, false",
    })
    void waitsAtStartOnlyForAServerThatCannotBeReachedOrTakesNoConnectionsForNow(String state, boolean wait) {
        assertThat(SqlStateClassifier.isTemporarilyUnavailable(new SQLException("any text; it is not read", state)))
                .isEqualTo(wait);
    }

    @Test
    void aConnectionRefusedAsPgJdbcReportsItIsTemporary() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:1 refused.", "08001",
                new java.net.ConnectException("Connection refused"));

        assertThat(SqlStateClassifier.isTemporarilyUnavailable(refused)).isTrue();
    }

    @Test
    void anExceptionWithoutSqlStateIsNotWaitedFor() {
        assertThat(SqlStateClassifier.isTemporarilyUnavailable(new SQLException("no state"))).isFalse();
    }
}
