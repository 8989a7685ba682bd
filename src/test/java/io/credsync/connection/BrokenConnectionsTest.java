package io.credsync.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokenConnectionsTest {

    @ParameterizedTest(name = "{0} -> broken: {1}")
    @CsvSource({
        "08001, true",   // cannot connect
        "08006, true",   // PgJDBC's I/O error: the socket is gone
        "08003, true",   // connection does not exist
        "08P01, true",   // protocol violation: the session cannot be trusted
        "57P01, true",   // admin_shutdown, pg_terminate_backend
        "57P02, true",   // crash_shutdown
        "57P03, true",   // cannot_connect_now
        "57P05, true",   // idle_session_timeout
        "57P04, false",  // database_dropped: a configuration to fix, not a connection to replace
        "57014, false",  // query_canceled: the session goes on
        "23505, false",  // unique_violation: a statement's error
        "40001, false",  // serialization_failure
        "53300, false",  // too_many_connections: opening failed, nothing to replace
    })
    void shouldDecideBySqlState(String state, boolean broken) {
        assertThat(BrokenConnections.isBroken(new SQLException("any text; it is not read", state)))
                .as("SQLState " + state).isEqualTo(broken);
    }

    @Test
    void shouldFindTheSqlStateOfAFailureAPoolWrapped() {
        SQLException wrapped = new SQLException("pool timeout", null, new SQLException("reset", "08006"));
        assertThat(BrokenConnections.sqlState(wrapped)).isEqualTo("08006");
        assertThat(BrokenConnections.isBroken(wrapped)).isTrue();
    }

    @Test
    void shouldFindTheSqlStateOfAChainedException() {
        SQLException first = new SQLException("batch entry failed");
        first.setNextException(new SQLException("terminated", "57P01"));
        assertThat(BrokenConnections.isBroken(first)).isTrue();
    }

    @Test
    void shouldTreatAFailureWithoutSqlStateAsBrokenOnlyWhenTheDriverClosedTheConnection() {
        SQLException noState = new SQLException("no state", null, new IOException("reset"));
        assertThat(BrokenConnections.isBroken(noState)).as("by state alone").isFalse();
        assertThat(BrokenConnections.isBroken(noState, null)).as("without a connection").isFalse();
        assertThat(BrokenConnections.isBroken(noState, connection(false))).as("on an open connection").isFalse();
        assertThat(BrokenConnections.isBroken(noState, connection(true))).as("on a closed connection").isTrue();
    }

    @Test
    void shouldTreatAConnectionThatCannotSayWhetherItIsClosedAsBroken() {
        Connection unanswering = stub((proxy, method, args) -> {
            throw new SQLException("cannot tell", "XX000");
        });
        assertThat(BrokenConnections.isBroken(new SQLException("statement failed", "42P01"), unanswering)).isTrue();
    }

    @Test
    void shouldKeepAnOpenConnectionAfterAStatementError() {
        assertThat(BrokenConnections.isBroken(new SQLException("no such table", "42P01"), connection(false))).isFalse();
    }

    /** A connection that only answers {@code isClosed()}. */
    private static Connection connection(boolean closed) {
        return stub((proxy, method, args) -> {
            if (method.getName().equals("isClosed")) {
                return closed;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    private static Connection stub(java.lang.reflect.InvocationHandler handler) {
        return (Connection) Proxy.newProxyInstance(BrokenConnectionsTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }
}
