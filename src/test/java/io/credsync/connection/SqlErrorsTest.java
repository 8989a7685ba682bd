package io.credsync.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void adviceComesFromTheSqlStateThenItsClass() {
        assertThat(SqlErrors.explain(new SQLException("ERROR: permission denied for table outbox\n  Where: x", "42501")))
                .startsWith("ERROR: permission denied for table outbox (SQLState 42501): the login lacks a privilege");
        assertThat(SqlErrors.advice("08001")).hasValueSatisfying(a -> assertThat(a).contains("database.host"));
        assertThat(SqlErrors.advice("XX000")).isEmpty();
        assertThat(SqlErrors.advice(null)).isEmpty();
    }

    @Test
    void aMissingSchemaOrFunctionMeansCredsyncIsNotInstalled() {
        assertThat(SqlErrors.advice("3F000")).hasValueSatisfying(a -> assertThat(a).contains("credsync install"));
        assertThat(SqlErrors.advice("42883")).hasValueSatisfying(a -> assertThat(a).contains("credsync install"));
    }
}
