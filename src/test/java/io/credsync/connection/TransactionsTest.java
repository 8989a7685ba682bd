package io.credsync.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionsTest {

    /** What the stub connection was asked, in order; rollback and reset fail when {@code broken}. */
    private final List<String> calls = new ArrayList<>();

    @Test
    void shouldCommitAndRestoreAutoCommitWhenTheWorkSucceeds() throws SQLException {
        String result = Transactions.inOne(connection(false), () -> "done");

        assertThat(result).isEqualTo("done");
        assertThat(calls).containsExactly("getAutoCommit", "setAutoCommit false", "commit", "setAutoCommit true");
    }

    @Test
    void shouldRollBackAndRethrowWhenTheWorkFails() {
        SQLException failure = new SQLException("duplicate", "23505");

        assertThatThrownBy(() -> Transactions.inOne(connection(false), () -> {
            throw failure;
        })).isSameAs(failure);
        assertThat(calls).containsExactly("getAutoCommit", "setAutoCommit false", "rollback", "setAutoCommit true");
    }

    @Test
    void shouldRethrowTheWorksFailureWithTheFailedRollbackAndResetSuppressedWhenTheConnectionBroke() {
        SQLException failure = new SQLException("I/O error", "08006");

        assertThatThrownBy(() -> Transactions.inOne(connection(true), () -> {
            throw failure;
        })).as("the failure whose SQLState says the connection is gone, not the reset's")
                .isSameAs(failure);
        assertThat(failure.getSuppressed()).hasSize(2);
    }

    private Connection connection(boolean broken) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String call = method.getName() + (args == null ? "" : " " + args[0]);
                    boolean afterWork = calls.contains("setAutoCommit false");
                    calls.add(call);
                    if (broken && afterWork) {
                        throw new SQLException("This connection has been closed.", "08003");
                    }
                    return switch (method.getName()) {
                        case "getAutoCommit" -> true;
                        default -> null;
                    };
                });
    }
}
