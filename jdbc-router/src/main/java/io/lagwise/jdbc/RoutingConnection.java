package io.lagwise.jdbc;

import io.lagwise.core.NodeRole;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The connection applications hold. It owns no server connection until a statement needs one, and
 * decides per statement — or, inside a transaction, once for the whole transaction — which server
 * that is:
 *
 * <ul>
 *   <li>A transaction (auto-commit off) runs on one server from its first statement to its end: the
 *       master, or a replica when the connection is read-only. Never two servers.</li>
 *   <li>In auto-commit, reads go to a replica; writes, locking reads and session-state statements to
 *       the master. A session-state statement ({@code SET}, temporary tables, named locks, user
 *       variables) ties the connection to the master for the rest of its life, since that state lives
 *       in the master's session.</li>
 *   <li>On a read-only connection, a write fails here with a clear error: it is never sent to a
 *       replica, and never moved to the master behind the application's back.</li>
 * </ul>
 *
 * <p>At most one master and one replica connection are held at a time. Session settings made on this
 * connection (auto-commit, isolation, catalog, schema, client info, network timeout) are kept here as
 * plain fields and applied to a server connection when it is about to be used, only where they
 * differ; HikariCP resets them when the connection goes back to its pool. Replica connections come
 * from their pool as read-only sessions (set once per physical connection), so read-only is applied
 * here to the master only, the one server where it changes.
 */
final class RoutingConnection implements LagwiseConnection {

    final Cluster cluster;

    // The application's view of the session.
    private boolean autoCommit = true;
    private boolean readOnly;
    private int isolation = -1;
    private String catalog;
    private String schema;
    private int holdability = -1;
    private int networkTimeout = -1;
    private Executor networkExecutor;
    private Properties clientInfo;
    private Map<String, Class<?>> typeMap;
    private boolean forcedMaster;
    private boolean closed;
    /** This connection's consistency, or null for the data source's default. */
    private io.lagwise.core.Consistency consistency;
    /** A write ran on the master whose position the session does not have yet. */
    private boolean uncapturedWrite;
    /** The session that write belongs to. */
    private ConsistencySession captureSession;

    // Server connections, borrowed lazily.
    private Physical master;
    private Physical replica;
    /** The server connection the current transaction runs on; null when none has started. */
    private Physical tx;
    private int txStatements;
    /** The server whose broken connection took the running transaction with it; null if none. */
    private String txLost;
    private Physical lastUsed;
    /** Why the current transaction's first statement went where it did. */
    private RouteReason txReason = RouteReason.MASTER_REQUIRED;
    /** Why the last statement was placed where it was; counted when it runs. */
    private RouteReason reason = RouteReason.WRITE;

    RoutingConnection(Cluster cluster) {
        this.cluster = cluster;
    }

    /** A borrowed server connection and the session state applied to it so far. */
    static final class Physical {
        final Node node;
        final Connection conn;
        boolean autoCommit = true;
        boolean readOnly;
        int isolation = -1;
        String catalog;
        String schema;
        int holdability = -1;
        int networkTimeout = -1;
        boolean clientInfoApplied;
        boolean typeMapApplied;

        Physical(Node node, Connection conn) {
            this.node = node;
            this.conn = conn;
        }

        boolean onReplica() {
            return node.role == NodeRole.REPLICA;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Routing

    /**
     * The server connection a statement of this kind runs on, with the session state applied.
     * Starts a transaction on it when auto-commit is off and none runs.
     */
    Physical route(StatementKind kind) throws SQLException {
        return route(kind, true);
    }

    /**
     * As {@link #route(StatementKind)}; {@code executing} is false when a statement is only being
     * prepared, so that a transaction counts the statements it ran, not the ones it prepared.
     */
    Physical route(StatementKind kind, boolean executing) throws SQLException {
        return route(kind, executing, null);
    }

    /** As above, with the statement's own consistency hint ({@code null}: the connection's). */
    Physical route(StatementKind kind, boolean executing, io.lagwise.core.Consistency hint) throws SQLException {
        Physical p = place(kind, executing, hint);
        if (executing && !p.onReplica() && (kind == StatementKind.WRITE || kind == StatementKind.SESSION
                || kind == StatementKind.MASTER_HINT)) {
            // It may write: the session's token must learn its position before the session next reads
            // (captured lazily, so SHOW WARNINGS or ROW_COUNT() right after it still see it).
            if (!uncapturedWrite) {
                uncapturedWrite = true;
                captureSession = cluster.sessions.current();
                captureSession.pending(this);
            }
        }
        return p;
    }

    /** Counts a statement that runs on {@code p}, under the reason of its routing. */
    void served(Physical p) {
        p.node.statementsServed.increment();
        RouteReason r = reason;
        if (p.onReplica() != (r.target() == io.lagwise.core.NodeRole.REPLICA)) {
            r = p.onReplica() ? RouteReason.REPLICA : RouteReason.NO_REPLICA; // moved by a retry
        }
        cluster.routed(r);
    }

    /** Counted as writes: statements that may write. A hinted statement counts as a master-required read. */
    private static boolean mayWrite(StatementKind kind) {
        return kind == StatementKind.WRITE || kind == StatementKind.SESSION;
    }

    private Physical place(StatementKind kind, boolean executing, io.lagwise.core.Consistency hint) throws SQLException {
        checkOpen();
        if (txLost != null) {
            throw transactionLost();
        }
        if (tx != null) {
            if (tx.onReplica() && (kind == StatementKind.WRITE || kind == StatementKind.MASTER_HINT)) {
                throw kind == StatementKind.WRITE ? readOnlyWrite()
                        : new SQLException(cluster.name + ": a lagwise:master hint inside a read-only transaction"
                                + " that already runs on " + tx.node.label() + "; a transaction never spans two"
                                + " servers: give the hint on its first statement, or call useMaster() before it", "25006");
            }
            if (kind == StatementKind.SESSION && !tx.onReplica()) {
                forcedMaster = true; // the session state outlives the transaction, on the master
            }
            if (executing) {
                txStatements++;
            }
            // The first statement the transaction runs carries the reason its server was chosen for
            // (a wait, say, made when the statement was prepared); later ones just follow it there.
            reason = mayWrite(kind) ? RouteReason.WRITE
                    : tx.onReplica() && txStatements > 1 ? RouteReason.REPLICA : txReason;
            return use(tx);
        }
        boolean toMaster = forcedMaster || kind == StatementKind.MASTER_HINT;
        Physical p;
        if (!autoCommit) {
            if (readOnly && !toMaster) {
                if (kind == StatementKind.WRITE) {
                    throw readOnlyWrite();
                }
                p = readTarget(hint);
                txReason = reason;
            } else {
                p = master();
                if (kind == StatementKind.SESSION) {
                    forcedMaster = true;
                }
                captureIfNeeded(); // earlier auto-commit writes are committed: a rollback must not lose them
                txReason = RouteReason.MASTER_REQUIRED;
                reason = mayWrite(kind) ? RouteReason.WRITE : RouteReason.MASTER_REQUIRED;
            }
            tx = p;
            txStatements = executing ? 1 : 0;
            return use(p);
        }
        if (toMaster) {
            reason = mayWrite(kind) ? RouteReason.WRITE : RouteReason.MASTER_REQUIRED;
            return use(master());
        }
        switch (kind) {
            case READ:
                return use(executing ? readTarget(hint) : prepareTarget(hint));
            case LOCKING_READ:
                if (readOnly) {
                    return use(executing ? readTarget(hint) : prepareTarget(hint));
                }
                reason = RouteReason.MASTER_REQUIRED;
                return use(master());
            case SESSION:
                // Session state must stay where it was made: the master, for the rest of this connection.
                forcedMaster = true;
                reason = RouteReason.WRITE;
                return use(master());
            case LAST_USED:
                reason = lastUsed != null && lastUsed.onReplica() ? RouteReason.REPLICA : RouteReason.MASTER_REQUIRED;
                return use(lastUsed != null ? lastUsed : master());
            default: // WRITE
                if (readOnly) {
                    throw readOnlyWrite();
                }
                reason = RouteReason.WRITE;
                return use(master());
        }
    }

    /**
     * A read failed on {@code failed} before any result came back: drop that connection, mark its
     * replica down, and give the server connection the read should be tried on once more — or
     * {@code null} when it must not be retried (a transaction that had already run statements there).
     */
    Physical rerouteRead(Physical failed, StatementKind kind, io.lagwise.core.Consistency hint, SQLException cause)
            throws SQLException {
        if (!failed.onReplica() || closed) {
            return null;
        }
        if (tx == failed && txStatements > 1) {
            return null;
        }
        failed.node.markDown(cause);
        drop(failed);
        try {
            if (tx == failed) {
                tx = null;
                return route(kind, true, hint);
            }
            // The same rules as the first try (consistency, the session's token), minus the failed node.
            return use(readOnly || kind == StatementKind.READ ? readTarget(hint, failed.node) : master());
        } catch (SQLException e) {
            e.addSuppressed(cause);
            throw e;
        }
    }

    /**
     * A statement failed on {@code p} and will not be retried. When the connection broke, it is
     * dropped (the pool will not hand it out again), a running transaction on it is marked lost, and
     * the exception names the server; a replica is also marked down. The master is not marked down
     * here: one broken connection may be just that, and the next borrow finds out whether the
     * server is gone.
     */
    SQLException failed(Physical p, SQLException e) {
        if (!SqlErrors.isConnectionProblem(e) || closed) {
            return e;
        }
        boolean inTransaction = p == tx;
        if (p.onReplica()) {
            p.node.markDown(e);
        }
        drop(p);
        if (inTransaction) {
            endTransaction();
            txLost = p.node.label();
        }
        String message = cluster.name + ": lost the connection to " + p.node.label() + ": " + SqlErrors.describe(e)
                + (inTransaction ? "; the transaction is lost: roll back and run it again" : "");
        SQLException wrapped = e instanceof java.sql.SQLTransientConnectionException
                ? new java.sql.SQLTransientConnectionException(message, e.getSQLState(), e.getErrorCode(), e)
                : new java.sql.SQLNonTransientConnectionException(message, e.getSQLState(), e.getErrorCode(), e);
        return wrapped;
    }

    /** Forgets a broken server connection and evicts it from its pool. */
    private void drop(Physical p) {
        if (master == p) {
            master = null;
        }
        if (replica == p) {
            replica = null;
        }
        if (lastUsed == p) {
            lastUsed = null;
        }
        p.node.evict(p.conn);
    }

    private SQLException transactionLost() {
        return new java.sql.SQLTransactionRollbackException(cluster.name + ": the transaction was lost with the"
                + " connection to " + txLost + "; roll back, then run it again", "40000");
    }

    private Physical use(Physical p) throws SQLException {
        try {
            sync(p);
        } catch (SQLException e) {
            throw failed(p, e);
        }
        lastUsed = p;
        return p;
    }

    private Physical master() throws SQLException {
        if (master != null) {
            return master;
        }
        Node node = cluster.master;
        if (!node.available()) {
            throw cluster.masterDown();
        }
        try {
            master = new Physical(node, node.borrow());
        } catch (SQLException e) {
            throw SqlErrors.isServerUnreachable(e) ? cluster.masterUnreachable(e) : cluster.masterBusy(e);
        }
        return master;
    }

    /**
     * Where a read goes, given its consistency and the session's token. {@code EVENTUAL}: any
     * replica. {@code STRONG}: the master. {@code READ_YOUR_WRITES} with a token: in GTID mode a
     * replica known to have applied it, or the chosen one after a bounded {@code MASTER_GTID_WAIT},
     * else the master; in PIN mode (or without a GTID) the master until the pin window after the
     * write has passed.
     */
    private Physical readTarget(io.lagwise.core.Consistency hint) throws SQLException {
        return readTarget(hint, null);
    }

    /**
     * Where an auto-commit read is prepared: the server it will most likely run on, chosen without
     * the read-your-writes checks (no wait, nothing counted). Each execution then routes for real,
     * and the statement moves if that says otherwise.
     */
    private Physical prepareTarget(io.lagwise.core.Consistency hint) throws SQLException {
        if (effective(hint) == io.lagwise.core.Consistency.STRONG) {
            return master();
        }
        return replica(null, cluster.sessions.current().lastReplica());
    }

    /** A read's consistency: its statement's hint, else this connection's, else the thread's or the default. */
    private io.lagwise.core.Consistency effective(io.lagwise.core.Consistency hint) {
        return hint != null ? hint : consistency != null ? consistency : threadConsistency();
    }

    private Physical readTarget(io.lagwise.core.Consistency hint, Node avoid) throws SQLException {
        io.lagwise.core.Consistency c = effective(hint);
        if (c == io.lagwise.core.Consistency.STRONG) {
            reason = RouteReason.STRONG;
            return master();
        }
        ConsistencySession session = cluster.sessions.current();
        captureIfNeeded();
        io.lagwise.core.ConsistencyToken token = null;
        if (c == io.lagwise.core.Consistency.READ_YOUR_WRITES) {
            // Before the pin check: capturing the session's other connections, or resolving a
            // deferred write, may pin it. A master connection this one holds serves the resolution.
            token = session.token(master != null && tx != master ? master.conn : null);
        }
        if (System.currentTimeMillis() < session.pinnedUntil && cluster.master.available()) {
            // A write's position could not be read: the pin window covers it (unless the master is
            // down: then reads go on from replicas, as they must).
            reason = RouteReason.READ_YOUR_WRITES;
            return master();
        }
        Physical p = replica(avoid, session.lastReplica());
        if (!p.onReplica()) {
            reason = RouteReason.NO_REPLICA;
            return p;
        }
        reason = RouteReason.REPLICA;
        if (c == io.lagwise.core.Consistency.EVENTUAL) {
            return p;
        }
        Node last = session.lastReplica();
        if (last != p.node) {
            session.lastReplica(p.node); // a new weak reference only when the replica changes
        }
        if (last != null && last != p.node) {
            // Moving to another replica: it must be at least as far along as what the session may
            // have read on the last one, which is at most what the master has now.
            monotonicBarrier(session);
            token = session.token();
        }
        if (token.isEmpty()) { // READ_YOUR_WRITES from here on: the others have returned
            return p;
        }
        if (cluster.mode == ReadYourWritesMode.PIN || token.position().isEmpty()) {
            if (System.currentTimeMillis() - token.writtenAtMillis() < cluster.pinWindowMillis()
                    && cluster.master.available()) { // a master that is down cannot serve: reads go on
                reason = RouteReason.READ_YOUR_WRITES;
                return master();
            }
            return p;
        }
        if (p.node.knownPosition.isAtLeast(token.position())) {
            return p;
        }
        if (cluster.maxWaitNanos > 0) {
            boolean applied;
            try {
                applied = waitFor(p, token.position());
            } catch (SQLException e) {
                if (avoid != null || !SqlErrors.isConnectionProblem(e)) {
                    throw e;
                }
                // The replica died under the wait (it is marked down and its connection dropped):
                // nothing was read yet, so choose again without it, once.
                return readTarget(hint, p.node);
            }
            if (applied) {
                reason = RouteReason.REPLICA_AFTER_WAIT;
                return p;
            }
        }
        cluster.fallbacks.increment();
        reason = RouteReason.READ_YOUR_WRITES;
        return master();
    }

    private io.lagwise.core.Consistency threadConsistency() {
        io.lagwise.core.Consistency c = cluster.sessions.consistency();
        return c != null ? c : cluster.consistency;
    }

    private void monotonicBarrier(ConsistencySession session) {
        if (!cluster.master.mariadb || !cluster.master.available()) {
            return; // best effort: without the master's position, the token alone guards the read
        }
        try {
            io.lagwise.core.GtidSet position = cluster.masterPosition(master().conn);
            if (position != null) {
                session.observe(io.lagwise.core.ConsistencyToken.of(position, session.token().writtenAtMillis()));
            }
        } catch (SQLException e) {
            // best effort, as above
        }
    }

    /** Waits, bounded, until the replica of {@code p} has applied {@code position}; whether it did. */
    private boolean waitFor(Physical p, io.lagwise.core.GtidSet position) throws SQLException {
        cluster.waits.increment();
        try (java.sql.PreparedStatement ps = p.conn.prepareStatement("SELECT MASTER_GTID_WAIT(?, ?)")) {
            ps.setString(1, position.toString());
            ps.setDouble(2, cluster.maxWaitNanos / 1e9);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getInt(1) == 0 && !rs.wasNull()) {
                    p.node.advance(position);
                    return true;
                }
                return false;
            }
        } catch (SQLException e) {
            throw failed(p, e);
        }
    }

    /** Called by {@link ConsistencySession#token()}: captures this connection's writes for it now. */
    void captureFor(ConsistencySession session) {
        if (session == captureSession) {
            captureIfNeeded();
        }
    }

    private void captureIfNeeded() {
        captureIfNeeded(false);
    }

    /**
     * Puts the writes made on the master since the last capture into the session's token: before
     * the session's next read, at commit, and when the connection closes; not while a transaction
     * runs there (its writes are not committed yet). GTID mode reads the position with one
     * {@code SELECT @@last_gtid} on this connection; when the connection is closing, it defers
     * instead (the session reads the master's position when it next needs its token), so a
     * session that only writes pays nothing. PIN mode needs only the write's time: no query.
     */
    private synchronized void captureIfNeeded(boolean closing) {
        // Synchronized, and the write leaves the session's pending list only once it is in the
        // token: another thread reading the same session waits here rather than missing it.
        if (!uncapturedWrite || closed) {
            return;
        }
        ConsistencySession session = captureSession;
        if (master == null) {
            unknownPosition(session); // the master connection broke after the write
            return;
        }
        if (tx == master) {
            return; // not committed yet: commit() captures
        }
        long now = System.currentTimeMillis();
        if (cluster.mode == ReadYourWritesMode.PIN) {
            session.observe(io.lagwise.core.ConsistencyToken.of(io.lagwise.core.GtidSet.empty(), now));
        } else if (closing && cluster.master.mariadb) {
            session.defer(cluster, now);
        } else {
            try (Statement s = master.conn.createStatement(); ResultSet rs = s.executeQuery("SELECT @@last_gtid")) {
                String gtid = rs.next() ? rs.getString(1) : null;
                if (gtid != null && !gtid.isEmpty()) {
                    session.observe(io.lagwise.core.ConsistencyToken.of(io.lagwise.core.GtidSet.parse(gtid), now));
                } // empty: this connection wrote nothing that made a GTID
            } catch (SQLException | IllegalArgumentException e) {
                unknownPosition(session);
                return;
            }
        }
        uncapturedWrite = false;
        session.done(this);
    }

    /**
     * The writes are committed but their position is unknown: never fail them now. The session
     * (and any instance its token travels to) reads from the master for the pin window, whatever
     * older position its token holds.
     */
    private void unknownPosition(ConsistencySession session) {
        long now = System.currentTimeMillis();
        session.observe(io.lagwise.core.ConsistencyToken.of(io.lagwise.core.GtidSet.empty(), now));
        session.pinnedUntil = now + cluster.pinWindowMillis();
        uncapturedWrite = false;
        session.done(this);
    }

    /** The replica connection for a read; another replica than {@code avoid}; the master as fallback. */
    private Physical replica(Node avoid) throws SQLException {
        return replica(avoid, null);
    }

    private Physical replica(Node avoid, Node preferred) throws SQLException {
        if (replica != null) {
            // Kept for this connection's life unless it fails here: results may still be open on it,
            // and one replica for the whole connection keeps its reads monotonic.
            return replica;
        }
        Node failed = avoid;
        for (int attempt = 0; attempt <= cluster.replicas.size(); attempt++) {
            Node node = cluster.chooseReplica(failed, attempt == 0 ? preferred : null);
            if (node == null) {
                break;
            }
            try {
                replica = new Physical(node, node.borrow());
                return replica;
            } catch (SQLException e) {
                if (!SqlErrors.isConnectionProblem(e)) {
                    throw e;
                }
                failed = node; // marked down by borrow(); try the next best
            }
        }
        if (cluster.readFallback == ReadFallback.FAIL) {
            throw cluster.noReplica();
        }
        return master();
    }

    /** Applies the session state this connection holds to a server connection, where it differs. */
    private void sync(Physical p) throws SQLException {
        Connection c = p.conn;
        if (p.autoCommit != autoCommit) {
            // Replicas outside a read-only transaction always run in auto-commit.
            boolean wanted = autoCommit || (p != tx && p.onReplica());
            if (p.autoCommit != wanted) {
                c.setAutoCommit(wanted);
                p.autoCommit = wanted;
            }
        }
        if (!p.onReplica() && p.readOnly != readOnly) { // replica pools hand out read-only connections
            c.setReadOnly(readOnly);
            p.readOnly = readOnly;
        }
        if (isolation != -1 && p.isolation != isolation) {
            c.setTransactionIsolation(isolation);
            p.isolation = isolation;
        }
        if (catalog != null && !catalog.equals(p.catalog)) {
            c.setCatalog(catalog);
            p.catalog = catalog;
        }
        if (schema != null && !schema.equals(p.schema)) {
            c.setSchema(schema);
            p.schema = schema;
        }
        if (holdability != -1 && p.holdability != holdability) {
            c.setHoldability(holdability);
            p.holdability = holdability;
        }
        if (networkTimeout != -1 && p.networkTimeout != networkTimeout) {
            c.setNetworkTimeout(networkExecutor, networkTimeout);
            p.networkTimeout = networkTimeout;
        }
        if (clientInfo != null && !p.clientInfoApplied) {
            c.setClientInfo(clientInfo);
            p.clientInfoApplied = true;
        }
        if (typeMap != null && !p.typeMapApplied) {
            c.setTypeMap(typeMap);
            p.typeMapApplied = true;
        }
    }

    /** A server connection for calls that touch no data: one already held, else the master's. */
    private Connection anyConnection() throws SQLException {
        checkOpen();
        if (tx != null) {
            return tx.conn;
        }
        if (lastUsed != null) {
            return lastUsed.conn;
        }
        if (master != null) {
            return master.conn;
        }
        if (replica != null) {
            return replica.conn;
        }
        // Borrow without routing anything: a replica for read-only work or while the master is
        // down, else the master. Catalog and schema set here apply, so metadata sees them.
        Physical p = readOnly || !cluster.master.available() ? replica(null) : master();
        try {
            sync(p);
        } catch (SQLException e) {
            throw failed(p, e);
        }
        return p.conn;
    }

    private SQLException readOnlyWrite() {
        return new SQLException(cluster.name + ": cannot run a write on a read-only connection; writes never go"
                + " to a replica (call setReadOnly(false) first)", "25006");
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException(cluster.name + ": connection is closed", "08003");
        }
    }

    private void endTransaction() {
        tx = null;
        txStatements = 0;
    }

    private void release(Physical p) {
        if (p == null) {
            return;
        }
        if (p == lastUsed) {
            lastUsed = null;
        }
        // HikariCP resets auto-commit, read-only, isolation, catalog, schema and network timeout;
        // client info and the type map it does not, so the next borrower would inherit them.
        try {
            if (p.clientInfoApplied) {
                // Blank, not removed: MariaDB Connector/J cannot remove a client info property.
                for (String name : clientInfo.stringPropertyNames()) {
                    p.conn.setClientInfo(name, "");
                }
            }
            if (typeMap != null) {
                p.conn.setTypeMap(new java.util.HashMap<>());
            }
        } catch (SQLException e) {
            p.node.evict(p.conn);
            return;
        }
        p.node.release(p.conn);
    }

    // ---------------------------------------------------------------------------------------------
    // LagwiseConnection

    @Override
    public void useMaster() throws SQLException {
        checkOpen();
        if (tx != null && tx.onReplica()) {
            throw new SQLException(cluster.name + ": useMaster() inside a read-only transaction that already runs on "
                    + tx.node.label() + "; a transaction never spans two servers", "25006");
        }
        forcedMaster = true;
    }

    @Override
    public boolean usesMaster() {
        return forcedMaster;
    }

    @Override
    public void setConsistency(io.lagwise.core.Consistency consistency) throws SQLException {
        checkOpen();
        this.consistency = consistency;
    }

    @Override
    public io.lagwise.core.Consistency getConsistency() {
        return consistency != null ? consistency : threadConsistency();
    }

    /** Whether the application set this connection read-only. */
    boolean readOnlyMode() {
        return readOnly;
    }

    @Override
    public String currentServer() {
        return tx == null ? "" : tx.node.label();
    }

    // ---------------------------------------------------------------------------------------------
    // Statements

    @Override
    public Statement createStatement() throws SQLException {
        return createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        checkOpen();
        return new RoutingStatement(this, resultSetType, resultSetConcurrency, -1);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        checkOpen();
        return new RoutingStatement(this, resultSetType, resultSetConcurrency, resultSetHoldability);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return RoutingPreparedStatement.prepare(this, sql, PrepareVariant.PLAIN, 0, 0, 0, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return RoutingPreparedStatement.prepare(this, sql, PrepareVariant.KEYS, autoGeneratedKeys, 0, 0, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return RoutingPreparedStatement.prepare(this, sql, PrepareVariant.KEY_INDEXES, 0, 0, 0, columnIndexes, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return RoutingPreparedStatement.prepare(this, sql, PrepareVariant.KEY_NAMES, 0, 0, 0, null, columnNames);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return RoutingPreparedStatement.prepare(this, sql, PrepareVariant.TYPED, resultSetType, resultSetConcurrency,
                -1, null, null);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        return RoutingPreparedStatement.prepare(this, sql, PrepareVariant.TYPED, resultSetType, resultSetConcurrency,
                resultSetHoldability, null, null);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return prepareCall(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, -1);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return prepareCall(sql, resultSetType, resultSetConcurrency, -1);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        boolean hint = cluster.classifier.classify(sql) == StatementKind.MASTER_HINT;
        Physical p = route(callKind(hint, readOnly), false);
        CallableStatement cs = resultSetHoldability == -1
                ? p.conn.prepareCall(sql, resultSetType, resultSetConcurrency)
                : p.conn.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
        return new RoutingCallableStatement(this, hint, p, cs);
    }

    /**
     * How a procedure call is routed: it may write, so the master — unless the connection is
     * read-only, when it runs on the replica (a read-only session, so a writing procedure fails).
     */
    static StatementKind callKind(boolean masterHint, boolean readOnly) {
        return masterHint ? StatementKind.MASTER_HINT : readOnly ? StatementKind.READ : StatementKind.WRITE;
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return anyConnection().nativeSQL(sql);
    }

    // ---------------------------------------------------------------------------------------------
    // Transactions and session state

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        if (autoCommit == this.autoCommit) {
            return;
        }
        this.autoCommit = autoCommit;
        if (autoCommit && txLost != null) {
            SQLException lost = transactionLost();
            txLost = null;
            throw lost;
        }
        if (autoCommit && tx != null) {
            // JDBC: switching auto-commit on commits the running transaction.
            Physical p = tx;
            endTransaction();
            p.conn.setAutoCommit(true);
            p.autoCommit = true;
            captureIfNeeded();
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (txLost != null) {
            SQLException lost = transactionLost();
            txLost = null;
            throw lost;
        }
        if (tx != null) {
            Physical p = tx;
            try {
                p.conn.commit();
            } catch (SQLException e) {
                throw failed(p, e); // the transaction stays open (or is marked lost): rollback() still works
            }
            endTransaction();
            captureIfNeeded();
        }
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        txLost = null;
        if (tx != null && tx == master && uncapturedWrite) {
            uncapturedWrite = false; // the transaction's writes are gone (earlier ones were captured at its start)
            captureSession.done(this);
        }
        if (tx != null) {
            Physical p = tx;
            endTransaction();
            try {
                p.conn.rollback();
            } catch (SQLException e) {
                throw failed(p, e);
            }
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return transaction().conn.setSavepoint();
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        return transaction().conn.setSavepoint(name);
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        if (tx == null) {
            throw new SQLException(cluster.name + ": no transaction runs, so there is no savepoint to roll back to", "3B001");
        }
        tx.conn.rollback(savepoint);
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        if (tx == null) {
            throw new SQLException(cluster.name + ": no transaction runs, so there is no savepoint to release", "3B001");
        }
        tx.conn.releaseSavepoint(savepoint);
    }

    /** The running transaction's connection, starting the transaction if none runs. */
    private Physical transaction() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException(cluster.name + ": savepoints need a transaction: setAutoCommit(false) first", "25000");
        }
        return tx != null ? tx : route(readOnly ? StatementKind.READ : StatementKind.WRITE);
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        if (readOnly != this.readOnly && tx != null) {
            throw new SQLException(cluster.name + ": cannot change read-only while a transaction runs on "
                    + tx.node.label() + "; commit or roll back first", "25001");
        }
        this.readOnly = readOnly;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        if (level != TRANSACTION_READ_UNCOMMITTED && level != TRANSACTION_READ_COMMITTED
                && level != TRANSACTION_REPEATABLE_READ && level != TRANSACTION_SERIALIZABLE) {
            throw new SQLException(cluster.name + ": unsupported transaction isolation level: " + level, "HY024");
        }
        isolation = level;
        if (tx != null) {
            sync(tx);
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return isolation != -1 ? isolation : anyConnection().getTransactionIsolation();
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        this.catalog = catalog;
        if (tx != null) {
            sync(tx);
        }
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        if (catalog != null) {
            return catalog;
        }
        String database = cluster.master.url.database();
        return database.isEmpty() ? anyConnection().getCatalog() : database;
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        this.schema = schema;
        if (tx != null) {
            sync(tx);
        }
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        return schema != null ? schema : anyConnection().getSchema();
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        this.holdability = holdability;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return holdability != -1 ? holdability : anyConnection().getHoldability();
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (milliseconds < 0) {
            throw new SQLException(cluster.name + ": network timeout cannot be negative: " + milliseconds, "22023");
        }
        this.networkExecutor = executor;
        this.networkTimeout = milliseconds;
        for (Physical p : new Physical[] {master, replica}) {
            if (p != null) {
                sync(p);
            }
        }
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        return Math.max(networkTimeout, 0);
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        return typeMap != null ? typeMap : anyConnection().getTypeMap();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        this.typeMap = map;
        for (Physical p : new Physical[] {master, replica}) {
            if (p != null) {
                p.typeMapApplied = false;
            }
        }
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        if (clientInfo == null) {
            clientInfo = new Properties();
        }
        if (value == null) {
            clientInfo.remove(name);
        } else {
            clientInfo.setProperty(name, value);
        }
        clientInfoChanged();
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        clientInfo = new Properties();
        if (properties != null) {
            clientInfo.putAll(properties);
        }
        clientInfoChanged();
    }

    private void clientInfoChanged() {
        for (Physical p : new Physical[] {master, replica}) {
            if (p != null) {
                p.clientInfoApplied = false;
            }
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        return clientInfo == null ? null : clientInfo.getProperty(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        Properties copy = new Properties();
        if (clientInfo != null) {
            copy.putAll(clientInfo);
        }
        return copy;
    }

    // ---------------------------------------------------------------------------------------------
    // Everything else

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return anyConnection().getMetaData();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return lastUsed == null ? null : lastUsed.conn.getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        for (Physical p : new Physical[] {master, replica}) {
            if (p != null) {
                p.conn.clearWarnings();
            }
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        return anyConnection().createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return anyConnection().createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return anyConnection().createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return anyConnection().createSQLXML();
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return anyConnection().createArrayOf(typeName, elements);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return anyConnection().createStruct(typeName, attributes);
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException(cluster.name + ": timeout cannot be negative: " + timeout, "22023");
        }
        // No server connection is held between statements; the pools validate their own.
        return !closed && (lastUsed == null || lastUsed.conn.isValid(timeout));
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (uncapturedWrite) {
                unknownPosition(captureSession); // no time to ask for the position
            }
        }
        closed = true;
        for (Physical p : new Physical[] {master, replica}) {
            if (p != null) {
                p.conn.abort(executor);
                p.node.evict(p.conn);
            }
        }
        master = null;
        replica = null;
        endTransaction();
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        captureIfNeeded(true);
        synchronized (this) {
            if (uncapturedWrite && tx != null && tx == master) {
                // Closed inside a transaction: the pool rolls its writes back (earlier ones were
                // captured when it began), so there is nothing left to capture.
                uncapturedWrite = false;
                captureSession.done(this);
            }
        }
        closed = true;
        endTransaction();
        lastUsed = null;
        release(master);
        release(replica);
        master = null;
        replica = null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return anyConnection().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || anyConnection().isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "LagwiseConnection[" + cluster.name + (closed ? ", closed" : "")
                + (tx != null ? ", transaction on " + tx.node.label() : "") + (forcedMaster ? ", master" : "") + "]";
    }
}
