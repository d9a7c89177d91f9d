package io.lagwise.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A stored procedure call, routed once when prepared (the master, or the read-only transaction's
 * replica) and never moved or retried: a procedure may write.
 */
final class RoutingCallableStatement extends DelegatingCallableStatement<CallableStatement> {

    private final RoutingConnection connection;
    private final CallableStatement statement;

    RoutingCallableStatement(RoutingConnection connection, CallableStatement statement) {
        this.connection = connection;
        this.statement = statement;
    }

    @Override
    CallableStatement delegate() {
        return statement;
    }

    @Override
    CallableStatement current() {
        return statement;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : statement.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || statement.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "RoutingCallableStatement[" + statement + "]";
    }
}
