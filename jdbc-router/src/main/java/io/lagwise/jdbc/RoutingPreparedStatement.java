package io.lagwise.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.lagwise.core.Consistency;

/**
 * A prepared statement that was routed when it was prepared (the SQL is known then) and is checked
 * again at each execution: if the connection's transaction now runs elsewhere, or a read failed on a
 * replica before any result came back, it is prepared again on the right server and its parameters
 * are set again (each node is tried at most once). Parameters are kept for that in three small
 * arrays, made at the first setter.
 * A statement given a stream or a LOB cannot be moved; its read is not retried.
 */
final class RoutingPreparedStatement extends DelegatingPreparedStatement<PreparedStatement>
        implements RoutedStatement<PreparedStatement> {

    private final RoutingConnection connection;
    private final String sql;
    private final StatementKind kind;
    /** Whether this statement may ever have to move (reads): only then are parameters recorded. */
    private final boolean movable;
    private final int parameterCount;
    private final Consistency consistencyHint;
    private final boolean implicitCommit;
    private final PrepareVariant variant;
    private final int a;
    private final int b;
    private final int holdability;
    private final int[] indexes;
    private final String[] names;
    private Physical physical;
    private PreparedStatement statement;
    private boolean closed;

    // Parameters set so far, by index (1-based), to set them again on another server.
    private int[] setters;
    private long[] primitives;
    private Object[] values;
    private boolean notReplayable;
    private boolean batched;

    private RoutingPreparedStatement(RoutingConnection connection, String sql, StatementClassifier.Classification c,
            StatementKind kind, PrepareVariant variant, int a, int b, int holdability, int[] indexes, String[] names,
            Physical physical, PreparedStatement statement) {
        this.connection = connection;
        this.sql = sql;
        this.kind = kind;
        // Writes, session statements and hinted ones always run on the master: they never move.
        this.movable = kind == StatementKind.READ || kind == StatementKind.LOCKING_READ || kind == StatementKind.LAST_USED
                || kind == StatementKind.TRANSACTION_CONTROL;
        this.parameterCount = c.parameters();
        this.consistencyHint = c.consistency();
        this.implicitCommit = c.implicitCommit();
        this.variant = variant;
        this.a = a;
        this.b = b;
        this.holdability = holdability;
        this.indexes = indexes;
        this.names = names;
        this.physical = physical;
        this.statement = statement;
    }

    static PreparedStatement prepare(RoutingConnection connection, String sql, PrepareVariant variant, int a, int b,
            int holdability, int[] indexes, String[] names) throws SQLException {
        ConnectionRouting.checkSql(connection.cluster, sql);
        StatementClassifier.Classification c = connection.cluster.classifier.classification(sql);
        int concurrency = variant == PrepareVariant.TYPED ? b : java.sql.ResultSet.CONCUR_READ_ONLY;
        StatementKind kind = Router.forConcurrency(c.kind(), concurrency, connection.readOnlyMode());
        Physical p = connection.routing.route(kind, false, c.consistency());
        PreparedStatement ps = variant.prepare(p.conn, sql, a, b, holdability, indexes, names);
        return new RoutingPreparedStatement(connection, sql, c, kind, variant, a, b, holdability, indexes, names, p, ps);
    }

    @Override
    PreparedStatement delegate() throws SQLException {
        if (closed) {
            throw new SQLException(connection.cluster.name + ": statement is closed", "HY010");
        }
        return statement;
    }

    @Override
    PreparedStatement current() {
        return statement;
    }

    @Override
    void parameterSet(int index, int setter, long primitive, Object value) {
        if (!movable) {
            return;
        }
        if (setters == null || index >= setters.length) {
            grow(index);
        }
        setters[index] = setter + 1;
        primitives[index] = primitive;
        values[index] = value;
    }

    @Override
    void parameterNotReplayable(int index) {
        notReplayable = true;
    }

    private void grow(int index) {
        int size = Math.max(index + 1, setters == null ? parameterCount + 1 : setters.length * 2);
        int[] s = new int[size];
        long[] p = new long[size];
        Object[] v = new Object[size];
        if (setters != null) {
            System.arraycopy(setters, 0, s, 0, setters.length);
            System.arraycopy(primitives, 0, p, 0, primitives.length);
            System.arraycopy(values, 0, v, 0, values.length);
        }
        setters = s;
        primitives = p;
        values = v;
    }

    @Override
    public void clearParameters() throws SQLException {
        delegate().clearParameters();
        if (setters != null) {
            java.util.Arrays.fill(setters, 0);
            java.util.Arrays.fill(values, null);
        }
        notReplayable = false;
    }

    @Override
    public void addBatch() throws SQLException {
        delegate().addBatch();
        batched = true; // earlier parameter sets live only in the driver: this statement cannot move now
    }

    @Override
    public void clearBatch() throws SQLException {
        delegate().clearBatch();
        batched = false;
    }

    // ---- Execution: route again, run through the connection's execute/retry loop. --------------

    private <T> T run(Call<PreparedStatement, T> call) throws SQLException {
        delegate();
        Physical target = connection.routing.route(kind, true, consistencyHint, replayable());
        return connection.routing.execute(this, target, kind, consistencyHint, implicitCommit, null, call);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return run((s, q) -> s.executeQuery());
    }

    @Override
    public boolean execute() throws SQLException {
        return run((s, q) -> s.execute());
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
        try {
            return run((s, q) -> s.executeBatch());
        } finally {
            batched = false;
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        try {
            return run((s, q) -> s.executeLargeBatch());
        } finally {
            batched = false;
        }
    }

    @Override
    public PreparedStatement statement() {
        return statement;
    }

    @Override
    public Physical physical() {
        return physical;
    }

    @Override
    public boolean replayable() {
        return movable && !notReplayable && !batched;
    }

    @Override
    public void moveTo(Physical target, SQLException failure) throws SQLException {
        if (!movable) {
            // A write stays on the master; it moves only when that connection was replaced after
            // breaking, and its parameters were not kept.
            throw new SQLException(connection.cluster.name + ": the connection this statement was prepared on (" + physical.node.label() + ") broke; prepare the statement again", "08003", failure);
        }
        if (notReplayable || batched) {
            throw new SQLException(connection.cluster.name + ": this statement was prepared on " + physical.node.label() + " and must now run on " + target.node.label() + ", but it holds a " + (batched ? "batch" : "stream or LOB parameter") + " that cannot be moved; prepare it after the transaction has started", "0A000", failure);
        }
        PreparedStatement next = variant.prepare(target.conn, sql, a, b, holdability, indexes, names);
        try {
            applySettings(next);
            if (setters != null) {
                for (int i = 1; i < setters.length; i++) {
                    if (setters[i] != 0) {
                        ParameterReplay.replay(next, i, setters[i] - 1, primitives[i], values[i]);
                    }
                }
            }
        } catch (SQLException | RuntimeException ex) {
            next.close();
            throw ex;
        }
        PreparedStatement old = statement;
        statement = next;
        physical = target;
        try {
            old.close();
        } catch (SQLException ignored) {
            // the old server may be gone; its pool cleans up
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        delegate();
        return connection;
    }

    @Override
    public void close() throws SQLException {
        if (!closed) {
            closed = true;
            statement.close();
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || statement.isClosed();
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
        return "RoutingPreparedStatement[" + physical.node.label() + ": " + statement + "]";
    }
}
