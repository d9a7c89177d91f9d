package io.lagwise.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A stored procedure call: routed when prepared (the master, or the read-only transaction's
 * replica), and never moved or retried, since a procedure may write and its OUT parameters belong to
 * one server. If at execution its connection routes it elsewhere (a transaction now runs on another
 * server, or auto-commit changed), it fails with a clear error rather than run outside the
 * transaction.
 */
final class RoutingCallableStatement extends DelegatingCallableStatement<CallableStatement> {

    private final RoutingConnection connection;
    private final boolean masterHint;
    private final RoutingConnection.Physical physical;
    private final CallableStatement statement;

    RoutingCallableStatement(RoutingConnection connection, boolean masterHint, RoutingConnection.Physical physical,
            CallableStatement statement) {
        this.connection = connection;
        this.masterHint = masterHint;
        this.physical = physical;
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

    @FunctionalInterface
    private interface Execution<T> {
        T run(CallableStatement statement) throws SQLException;
    }

    private <T> T run(Execution<T> execution) throws SQLException {
        RoutingConnection.Physical target = connection.route(RoutingConnection.callKind(masterHint,
                connection.readOnlyMode()));
        if (target != physical) {
            throw new SQLException(connection.cluster.name + ": this call was prepared on " + physical.node.label()
                    + " but its connection now routes it to " + target.node.label() + " (a transaction started or"
                    + " the connection changed); prepare the call inside the transaction it belongs to", "25000");
        }
        connection.served(physical);
        try {
            return execution.run(statement);
        } catch (SQLException e) {
            throw connection.failed(physical, e);
        }
    }

    @Override
    public boolean execute() throws SQLException {
        return run(CallableStatement::execute);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return run(CallableStatement::executeQuery);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return run(CallableStatement::executeUpdate);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return run(CallableStatement::executeLargeUpdate);
    }

    @Override
    public int[] executeBatch() throws SQLException {
        return run(CallableStatement::executeBatch);
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return run(CallableStatement::executeLargeBatch);
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
        return "RoutingCallableStatement[" + physical.node.label() + ": " + statement + "]";
    }
}
