package io.lagwise.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A stored procedure call: routed when prepared (the master; on a read-only connection, the
 * read-only transaction's replica, or in auto-commit the server the full read decision chose,
 * read-your-writes included), and never moved or retried, since a procedure may write and its OUT
 * parameters belong to one server. An auto-commit read runs where it was prepared. Otherwise, if at
 * execution its connection routes it elsewhere (a transaction now runs on another server), it fails
 * with a clear error rather than run outside the transaction.
 */
final class RoutingCallableStatement extends DelegatingCallableStatement<CallableStatement>
        implements RoutedStatement<CallableStatement> {

    private final RoutingConnection connection;
    private final boolean masterHint;
    /** A procedure may commit (DDL, COMMIT inside it): its writes then count as committed. */
    private final boolean implicitCommit;
    private final Physical physical;
    private final CallableStatement statement;

    private RoutingCallableStatement(RoutingConnection connection, boolean masterHint, boolean implicitCommit,
            Physical physical, CallableStatement statement) {
        this.connection = connection;
        this.masterHint = masterHint;
        this.implicitCommit = implicitCommit;
        this.physical = physical;
        this.statement = statement;
    }

    static CallableStatement prepare(RoutingConnection connection, String sql, int resultSetType,
            int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        ConnectionRouting.checkSql(connection.cluster, sql);
        StatementClassifier.Classification c = connection.cluster.classifier.classification(sql);
        boolean hint = c.kind() == StatementKind.MASTER_HINT;
        StatementKind kind = kind(hint, connection.readOnlyMode());
        Physical p = connection.routing.prepareCallOn(kind);
        CallableStatement cs = resultSetHoldability == -1
                ? p.conn.prepareCall(sql, resultSetType, resultSetConcurrency)
                : p.conn.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
        return new RoutingCallableStatement(connection, hint, c.implicitCommit(), p, cs);
    }

    /**
     * How a procedure call is routed: it may write, so the master — unless the connection is
     * read-only, when it runs on a replica (a read-only session, so a writing procedure fails).
     */
    static StatementKind kind(boolean masterHint, boolean readOnly) {
        return masterHint ? StatementKind.MASTER_HINT : readOnly ? StatementKind.READ : StatementKind.WRITE;
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
    public CallableStatement statement() {
        return statement;
    }

    @Override
    public Physical physical() {
        return physical;
    }

    @Override
    public boolean replayable() {
        return false;
    }

    @Override
    public void moveTo(Physical target, SQLException cause) throws SQLException {
        throw new SQLException(connection.cluster.name + ": this call was prepared on " + physical.node.label() + " but its connection now routes it to " + target.node.label() + " (a transaction started, read-only changed, or its connection broke); prepare the call inside the transaction it belongs to", "25000", cause);
    }

    private <T> T run(Call<CallableStatement, T> call) throws SQLException {
        StatementKind kind = kind(masterHint, connection.readOnlyMode()); // read-only may have changed since
        Physical target = connection.routing.routeCall(kind, physical);
        return connection.routing.execute(this, target, kind, null, implicitCommit, null, call);
    }

    @Override
    public boolean execute() throws SQLException {
        return run((s, q) -> s.execute());
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return run((s, q) -> s.executeQuery());
    }

    @Override
    public int executeUpdate() throws SQLException {
        return run((s, q) -> s.executeUpdate());
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return run((s, q) -> s.executeLargeUpdate());
    }

    @Override
    public int[] executeBatch() throws SQLException {
        return run((s, q) -> s.executeBatch());
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return run((s, q) -> s.executeLargeBatch());
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
