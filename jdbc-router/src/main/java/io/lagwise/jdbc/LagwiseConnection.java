package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection a {@link LagwiseDataSource} hands out, with the few calls routing adds. Reach it
 * with {@code connection.unwrap(LagwiseConnection.class)}.
 *
 * <p>It borrows a server connection only when a statement needs one, and chooses the server per
 * statement or per transaction; see {@link LagwiseDataSource} for the rules.
 */
public interface LagwiseConnection extends Connection {

    /**
     * Sends every later statement of this connection to the master, whatever it is: for a read that
     * must see the very latest data, or one the classifier cannot judge (a stored function that
     * writes). The same as putting {@code /* lagwise:master *}{@code /} in each statement.
     *
     * @throws SQLException if the connection is closed, or a read-only transaction already runs on a
     *     replica (a transaction never spans two servers)
     */
    void useMaster() throws SQLException;

    /**
     * How fresh this connection's later reads must be; {@code null} returns to the thread's
     * ({@link LagwiseDataSource#withConsistency}) or else the data source's default.
     * {@code EVENTUAL} reads may miss the session's own writes; {@code STRONG} reads go to
     * the master.
     *
     * @throws SQLException if the connection is closed
     */
    void setConsistency(Consistency consistency) throws SQLException;

    /** The consistency of this connection's reads. */
    Consistency getConsistency();

    /** Whether {@link #useMaster()} was called, or a session-state statement tied this connection to the master. */
    boolean usesMaster();

    /**
     * Where the current transaction runs, e.g. {@code master db-oslo-1:3306} or
     * {@code replica db-oslo-2:3306 (oslo)}; empty when no transaction has started. For logs and tests.
     */
    String currentServer();
}
