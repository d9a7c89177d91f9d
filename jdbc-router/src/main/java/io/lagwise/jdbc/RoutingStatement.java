package io.lagwise.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain statement: its SQL comes only with each {@code execute}, so it is routed then. It makes a
 * driver statement on the chosen server's connection when first needed there (at most one per
 * server) and sends each call that is about results to the one that ran last.
 */
final class RoutingStatement extends RecordingStatement<Statement> {

    private final RoutingConnection connection;
    private final int resultSetType;
    private final int resultSetConcurrency;
    private final int resultSetHoldability;
    private RoutingConnection.Physical onMasterSide;
    private Statement masterSide;
    private RoutingConnection.Physical onReplicaSide;
    private Statement replicaSide;
    private Statement current;
    private List<String> batch;
    private boolean closed;

    RoutingStatement(RoutingConnection connection, int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
        this.connection = connection;
        this.resultSetType = resultSetType;
        this.resultSetConcurrency = resultSetConcurrency;
        this.resultSetHoldability = resultSetHoldability;
    }

    @Override
    Statement delegate() throws SQLException {
        checkOpen();
        if (current == null) {
            throw new SQLException(connection.cluster.name + ": no statement has run yet", "HY010");
        }
        return current;
    }

    @Override
    Statement current() {
        return current;
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException(connection.cluster.name + ": statement is closed", "HY010");
        }
    }

    /** The driver statement for this kind of SQL, on the server the connection routes it to. */
    private Statement statementFor(StatementKind kind) throws SQLException {
        return statementFor(kind, null);
    }

    private Statement statementFor(StatementKind kind, io.lagwise.core.Consistency hint) throws SQLException {
        checkOpen();
        RoutingConnection.Physical p = connection.route(kind, true, hint);
        return statementOn(p);
    }

    private Statement statementOn(RoutingConnection.Physical p) throws SQLException {
        boolean replicaSideOfIt = p.onReplica();
        RoutingConnection.Physical held = replicaSideOfIt ? onReplicaSide : onMasterSide;
        Statement s = replicaSideOfIt ? replicaSide : masterSide;
        if (held != p || s == null) {
            if (s != null) {
                closeQuietly(s);
            }
            s = resultSetHoldability == -1 ? p.conn.createStatement(resultSetType, resultSetConcurrency)
                    : p.conn.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability);
            applySettings(s);
            if (replicaSideOfIt) {
                onReplicaSide = p;
                replicaSide = s;
            } else {
                onMasterSide = p;
                masterSide = s;
            }
        } else if (s != current) {
            applySettings(s); // settings made while the other side's statement was current
        }
        current = s;
        connection.served(p);
        return s;
    }

    /**
     * Runs one SQL text. A read that fails on a replica before any result came back runs again on
     * another node — each node at most once — until one answers.
     */
    private <T> T run(String sql, Call<T> call) throws SQLException {
        StatementClassifier.Classification c = connection.cluster.classifier.classification(sql);
        StatementKind kind = c.kind();
        Statement s = statementFor(kind, c.consistency());
        RoutingConnection.Physical p = physicalOf(s);
        boolean read = kind == StatementKind.READ || kind == StatementKind.LOCKING_READ;
        for (int attempt = 0; ; attempt++) {
            try {
                return call.run(s, sql);
            } catch (SQLException e) {
                RoutingConnection.Physical next = read && attempt <= connection.cluster.replicas.size()
                        && SqlErrors.isConnectionProblem(e) ? connection.rerouteRead(p, kind, c.consistency(), e) : null;
                if (next == null) {
                    throw connection.failed(p, e);
                }
                p = next;
                s = statementOn(next);
            }
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(Statement s, String sql) throws SQLException;
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        return run(sql, Statement::executeQuery);
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return run(sql, Statement::executeUpdate);
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return run(sql, (s, q) -> s.executeUpdate(q, autoGeneratedKeys));
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return run(sql, (s, q) -> s.executeUpdate(q, columnIndexes));
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return run(sql, (s, q) -> s.executeUpdate(q, columnNames));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return run(sql, Statement::executeLargeUpdate);
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return run(sql, (s, q) -> s.executeLargeUpdate(q, autoGeneratedKeys));
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return run(sql, (s, q) -> s.executeLargeUpdate(q, columnIndexes));
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return run(sql, (s, q) -> s.executeLargeUpdate(q, columnNames));
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return run(sql, Statement::execute);
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return run(sql, (s, q) -> s.execute(q, autoGeneratedKeys));
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return run(sql, (s, q) -> s.execute(q, columnIndexes));
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return run(sql, (s, q) -> s.execute(q, columnNames));
    }

    // ---- Batches: routed as one, by their strongest statement. ---------------------------------

    @Override
    public void addBatch(String sql) throws SQLException {
        checkOpen();
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(sql);
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        if (batch != null) {
            batch.clear();
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        Statement s = batchStatement();
        try {
            return s == null ? new int[0] : s.executeBatch();
        } catch (SQLException e) {
            throw connection.failed(physicalOf(s), e);
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        Statement s = batchStatement();
        try {
            return s == null ? new long[0] : s.executeLargeBatch();
        } catch (SQLException e) {
            throw connection.failed(physicalOf(s), e);
        }
    }

    private RoutingConnection.Physical physicalOf(Statement s) {
        return s == masterSide ? onMasterSide : onReplicaSide;
    }

    private Statement batchStatement() throws SQLException {
        checkOpen();
        if (batch == null || batch.isEmpty()) {
            return null;
        }
        StatementKind kind = StatementKind.READ;
        for (String sql : batch) {
            StatementKind k = connection.cluster.classifier.classify(sql);
            if (k != StatementKind.READ) {
                kind = k == StatementKind.LAST_USED ? kind : StatementKind.WRITE;
            }
        }
        Statement s = statementFor(kind);
        for (String sql : batch) {
            s.addBatch(sql);
        }
        batch.clear();
        return s;
    }

    // ---- Results of the last run, and lifecycle. ---------------------------------------------

    @Override
    public ResultSet getResultSet() throws SQLException {
        checkOpen();
        return current == null ? null : current.getResultSet();
    }

    @Override
    public int getUpdateCount() throws SQLException {
        checkOpen();
        return current == null ? -1 : current.getUpdateCount();
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        checkOpen();
        return current == null ? -1 : current.getLargeUpdateCount();
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        checkOpen();
        return current != null && current.getMoreResults();
    }

    @Override
    public boolean getMoreResults(int mode) throws SQLException {
        checkOpen();
        return current != null && current.getMoreResults(mode);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return current == null ? null : current.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        if (current != null) {
            current.clearWarnings();
        }
    }

    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        return resultSetType;
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        return resultSetConcurrency;
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        return current != null ? current.getResultSetHoldability()
                : resultSetHoldability != -1 ? resultSetHoldability : ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public void cancel() throws SQLException {
        checkOpen();
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return connection;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (masterSide != null) {
            closeQuietly(masterSide);
        }
        if (replicaSide != null) {
            closeQuietly(replicaSide);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || (current != null && current.isWrapperFor(iface));
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException ignored) {
            // its connection may be gone; the pool cleans up
        }
    }

    @Override
    public String toString() {
        return "RoutingStatement[" + (current == null ? "not run yet" : current.toString()) + "]";
    }
}
