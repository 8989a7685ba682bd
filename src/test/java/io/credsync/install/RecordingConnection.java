package io.credsync.install;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * A JDBC connection that runs nothing and records every statement with its parameters, for
 * testing what install would send without a server. Only what install's actions call works;
 * anything else throws. Not thread-safe.
 */
final class RecordingConnection {

    /** One statement as it would reach the server: the SQL and its bind parameters in order. */
    record Sent(String sql, List<Object> parameters) {
    }

    private final List<Sent> sent = new ArrayList<>();

    Connection connection() {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "createStatement" -> statement(null);
            case "prepareStatement" -> statement((String) args[0]);
            case "createArrayOf" -> array((Object[]) args[1]);
            case "unwrap" -> proxy;
            case "escapeIdentifier" -> "\"" + ((String) args[0]).replace("\"", "\"\"") + "\"";
            case "escapeLiteral" -> ((String) args[0]).replace("'", "''");
            case "close" -> null;
            default -> throw new UnsupportedOperationException(method.getName());
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class, PGConnection.class}, handler);
    }

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    private Statement statement(String preparedSql) {
        List<Object> parameters = new ArrayList<>();
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "setString", "setArray" -> {
                int index = (Integer) args[0];
                while (parameters.size() < index) {
                    parameters.add(null);
                }
                parameters.set(index - 1, args[1]);
                yield null;
            }
            case "execute" -> {
                sent.add(new Sent(preparedSql != null ? preparedSql : (String) args[0], List.copyOf(parameters)));
                yield true;
            }
            case "close" -> null;
            default -> throw new UnsupportedOperationException(method.getName());
        };
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, handler);
    }

    private static Array array(Object[] elements) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "getArray" -> elements.clone();
            case "toString" -> Arrays.toString(elements);
            default -> throw new UnsupportedOperationException(method.getName());
        };
        return (Array) Proxy.newProxyInstance(RecordingConnection.class.getClassLoader(),
                new Class<?>[] {Array.class}, handler);
    }
}
