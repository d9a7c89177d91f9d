package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.ConsistencyToken;
import io.lagwise.core.GtidSet;
import io.lagwise.core.Health;
import io.lagwise.core.NodeRole;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.Executor;

/**
 * Where one {@link RoutingConnection}'s statements run: the glue between the {@link Router}'s
 * decisions and the server connections they name.
 *
 * <p>It owns no server connection until a statement needs one. For each statement it asks the
 * router where it goes ({@link #route}), borrows or reuses that server connection, carries the
 * session settings there ({@link SessionSettings}), and notes writes for read-your-writes
 * ({@link WriteCapture}). Every statement kind runs through one execute/retry loop
 * ({@link #execute}): a read that fails on a replica before any result came back runs once more
 * elsewhere, a write never. It also ends transactions (commit, rollback, auto-commit on), since
 * that is where a write's fate is decided.
 *
 * <p>The server connections themselves — at most one master and one replica connection, kept for
 * the connection's life unless one fails or its replica becomes unfit — are held by
 * {@link ServerConnections}. A transaction runs on one server from its first statement to its end.
 * Used by one thread at a time, like the connection (but {@code abort()}).
 */
final class ConnectionRouting {

    final Cluster cluster;
    final ConnectionState state = new ConnectionState();
    /** The application's session settings; made at the first one (most connections make none). */
    SessionSettings settings;
    /** This connection's writes for read-your-writes; made at the first write (reads need none). */
    private WriteCapture capture;
    /** Volatile: JDBC lets another thread {@code abort()} a connection. */
    volatile boolean closed;

    /** The server connections this connection holds, borrowed lazily. */
    final ServerConnections servers;
    /** The server connection the running transaction runs on; null when none has started. */
    Physical tx;
    /** The server whose broken connection took the running transaction with it; null if none. */
    private String txLost;

    /** The session settings, made at the first one. */
    SessionSettings settings() {
        if (settings == null) {
            settings = new SessionSettings();
        }
        return settings;
    }

    ConnectionRouting(Cluster cluster) {
        this.cluster = cluster;
        this.servers = new ServerConnections(cluster);
    }

    /**
     * The server connection a statement of this kind runs on, with the session state applied; starts
     * a transaction on it when auto-commit is off and none runs. {@code executing} is false when a
     * statement is only being prepared: then nothing is counted, and an auto-commit read is placed
     * where it will most likely run, without the read-your-writes checks (each execution routes for
     * real). A read that begins a transaction is decided in full even when prepared: the transaction
     * stays where it begins.
     */
    Physical route(StatementKind kind, boolean executing, Consistency hint) throws SQLException {
        return route(kind, executing, hint, true);
    }

    /**
     * As above; {@code mayMove} false for a prepared statement that cannot be prepared again elsewhere
     * (a stream or LOB parameter, a batch): its read waits where it is rather than go to the master for
     * being cheaper.
     */
    Physical route(StatementKind kind, boolean executing, Consistency hint, boolean mayMove) throws SQLException {
        checkOpen();
        dropDeposed();
        if (txLost != null || tx != null && closedUnder(tx)) {
            throw transactionLost();
        }
        Router.Route r = cluster.router.place(kind, state);
        Physical p;
        RouteReason reason = r.reason;
        switch (r.target) {
            case TRANSACTION:
                p = tx;
                if (executing) {
                    state.transactionStatements++;
                }
                break;
            case LAST_USED:
                p = servers.lastUsed != null && !closedUnder(servers.lastUsed) ? servers.lastUsed : master();
                break;
            case READ:
                reason = read(hint, !executing && state.autoCommit, null, mayMove);
                p = reason.target() == NodeRole.REPLICA ? servers.replica : servers.master;
                break;
            default:
                p = master();
        }
        if (r.pinsMaster) {
            state.forcedMaster = true; // the session state outlives the statement, on the master
        }
        if (tx == null && !state.autoCommit) {
            tx = p;
            state.beginTransaction(p.role(), reason, executing);
        }
        if (!executing) {
            apply(p); // preparing decides nothing for the next statement (SHOW WARNINGS, FOUND_ROWS())
            return p;
        }
        String refused = cluster.writesRefused;
        // Only plain reads pass: a hinted statement, SQL session text (PREPARE, EXECUTE, DO, several
        // statements in one) or a batch may write, and must not reach a master that is not settled.
        if (refused != null && !p.onReplica() && kind != StatementKind.READ && kind != StatementKind.LOCKING_READ) {
            throw cluster.writeRefused(refused);
        }
        use(p);
        count(p, reason);
        if (mayWrite(p, kind)) {
            if (capture == null) {
                capture = new WriteCapture(cluster);
            }
            capture.wrote(p, state.autoCommit);
        }
        return p;
    }

    /**
     * Whether a statement on {@code p} may write, for read-your-writes: on the master, one that may
     * change data or session state, carries the master hint, or runs under {@code useMaster()} (the
     * same as the hint on each statement: a stored function may write).
     */
    private boolean mayWrite(Physical p, StatementKind kind) {
        return !p.onReplica() && (Router.mayWrite(kind) || kind == StatementKind.MASTER_HINT || state.useMaster);
    }

    /**
     * Where a stored procedure call runs when it is prepared: with the full read decision (a wait
     * for the session's token included) when it is a read on a read-only auto-commit connection,
     * since it then runs where it was prepared ({@link #routeCall}); else as any statement.
     */
    Physical prepareCallOn(StatementKind kind) throws SQLException {
        if (autoCommitRead(kind)) {
            checkOpen();
            dropDeposed();
            RouteReason r = read(null, false, null);
            Physical p = r.target() == NodeRole.REPLICA ? servers.replica : servers.master;
            apply(p);
            return p;
        }
        return route(kind, false, null);
    }

    private boolean autoCommitRead(StatementKind kind) {
        return kind == StatementKind.READ && state.autoCommit && tx == null && !state.forcedMaster && !state.useMaster;
    }

    /**
     * Where a prepared call runs now. An auto-commit read is decided again (read-your-writes
     * included: the session may have written since it was prepared) and runs where it was prepared
     * when that server is fresh enough — the master always is; a replica is once it has applied the
     * session's token, after a bounded wait. A call cannot move (its OUT parameters belong to one
     * server), so a replica that is still behind fails it with a clear error rather than answer
     * stale. Other calls go where their connection routes them.
     */
    Physical routeCall(StatementKind kind, Physical preparedOn) throws SQLException {
        if (!autoCommitRead(kind)) {
            return route(kind, true, null);
        }
        checkOpen();
        dropDeposed();
        boolean retiredUnder = servers.retired == preparedOn;
        if (!retiredUnder && (preparedOn != servers.master && preparedOn != servers.replica || closedUnder(preparedOn))) {
            throw new SQLException(cluster.name + ": the connection this call was prepared on (" + preparedOn.node.label() + ") broke; prepare the call again", "08003");
        }
        if (retiredUnder || preparedOn.onReplica() && !preparedOn.node.readable()) {
            throw new SQLException(cluster.name + ": this call was prepared on " + preparedOn.node.label() + ", which no longer takes reads (stopped, lagging or down), and a call cannot move to another server; prepare it again", "0A000");
        }
        RouteReason r = preparedOn.onReplica() ? read(null, false, null, false) : RouteReason.MASTER_REQUIRED;
        if (preparedOn.onReplica() && (r.target() != NodeRole.REPLICA || servers.replica != preparedOn)) {
            throw new SQLException(cluster.name + ": this call was prepared on " + preparedOn.node.label() + ", which has not applied the session's newest write in time, and a call cannot move to another server; prepare it again after the write, or on a read-write connection", "0A000");
        }
        use(preparedOn);
        count(preparedOn, r);
        return preparedOn;
    }

    /**
     * Runs one execution of a statement that its caller has routed to {@code p}: the one
     * execute/retry loop of every statement kind. A read that fails on a replica before any result
     * came back runs again on another node — each at most once — unless the replica was merely slow
     * (it kept answering the monitor while the read ran past its timeout).
     */
    <S extends Statement, T> T execute(RoutedStatement<S> st, Physical p, StatementKind kind, Consistency hint,
            boolean implicitCommit, String sql, RoutedStatement.Call<S, T> call) throws SQLException {
        if (p != st.physical()) {
            st.moveTo(p, null);
        }
        boolean write = mayWrite(p, kind);
        for (int attempt = 0; ; attempt++) {
            long started = cluster.ticker.read();
            try {
                if (write && capture != null) {
                    capture.beforeStatement(p); // made by route() for a write
                }
                T result;
                Node.Lease lease = p.lease;
                if (lease != null) {
                    lease.executingSince = started | 1; // never 0: 0 is "nothing runs"
                }
                try {
                    result = call.run(st.statement(), sql);
                } finally {
                    if (lease != null) {
                        lease.executingSince = 0;
                    }
                }
                if (write || (implicitCommit && capture != null)) {
                    // a result set left open may write later (updateRow) or still stream its reply
                    boolean answered = !(result instanceof java.sql.ResultSet) && !Boolean.TRUE.equals(result);
                    capture.executed(state.autoCommit, implicitCommit, answered);
                }
                return result;
            } catch (SQLException e) {
                if (write || (implicitCommit && capture != null)) {
                    capture.executed(state.autoCommit, implicitCommit, false); // it may have committed before failing
                }
                Physical next = attempt <= cluster.replicas.size() && st.replayable()
                        ? retryRead(p, kind, hint, e, started) : null;
                if (next == null) {
                    throw failed(p, e, started);
                }
                try {
                    st.moveTo(next, e);
                } catch (SQLException moveFailure) {
                    moveFailure.addSuppressed(e);
                    throw failed(next, moveFailure, started);
                }
                p = next;
            }
        }
    }

    /**
     * A read failed on {@code failed}: the server connection it should run on once more, or null
     * when it must not be retried (not a read, not a connection failure, a merely slow read, or a
     * transaction that had already run statements there). The failed replica is marked down.
     */
    private Physical retryRead(Physical failed, StatementKind kind, Consistency hint, SQLException cause, long started)
            throws SQLException {
        boolean read = kind == StatementKind.READ || kind == StatementKind.LOCKING_READ;
        if (!read || !failed.onReplica() || closed || !SqlErrors.isConnectionProblem(cause)
                || slow(failed, cause, started) || (tx == failed && state.transactionStatements > 1)) {
            return null;
        }
        failed.node.markDown(cause);
        drop(failed);
        try {
            if (tx == failed) {
                endTransaction();
                return route(kind, true, hint);
            }
            RouteReason r = read(hint, false, failed.node);
            Physical p = use(r.target() == NodeRole.REPLICA ? servers.replica : servers.master);
            count(p, r);
            return p;
        } catch (SQLException e) {
            e.addSuppressed(cause);
            throw e;
        }
    }

    /** A read that timed out on a replica that kept answering the monitor meanwhile: slow, not dead. */
    private boolean slow(Physical p, SQLException e, long started) {
        if (!p.onReplica() || !SqlErrors.isTimeout(e) || p.node.health != Health.UP) {
            return false;
        }
        long answered = p.node.answeredAt;
        // Heard after the read began, and lately: a server frozen mid-read answered only before.
        return answered - started > 0 && cluster.ticker.read() - answered < cluster.answerWindowNanos;
    }

    /**
     * A statement failed on {@code p} and will not be retried. When the connection broke, it is
     * dropped (the pool will not hand it out again), a running transaction on it is marked lost, and
     * the exception names the server; a replica is marked down unless it was merely slow. The master
     * is not marked down here: one broken connection may be just that, and the next borrow finds
     * out whether the server is gone.
     */
    SQLException failed(Physical p, SQLException e, long started) {
        if (SqlErrors.isReadOnly(e) && !p.onReplica() && !closed) {
            // ER_OPTION_PREVENTS_STATEMENT: read_only (or super_read_only). A switchover under way:
            // the monitor follows the new master within a probe or two; this write is not run again.
            return new SQLException(cluster.name + ": " + p.node.label() + " refused the write, being read-only (a switchover"
                    + (cluster.master != p.node ? "; " + cluster.master.label() + " is the master now" : " under way? writes follow a promoted node")
                    + "); it was not run again: " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
        if (!SqlErrors.isConnectionProblem(e) || closed) {
            return e;
        }
        boolean slow = slow(p, e, started);
        boolean inTransaction = p == tx;
        if (p.onReplica() && !slow) {
            p.node.markDown(e);
        }
        drop(p);
        if (inTransaction) {
            endTransaction();
            txLost = p.node.label();
        }
        String what = slow ? ": a read ran longer than the replica read timeout while the server kept answering; it is not run again elsewhere (raise replicaReadTimeout, or set a socketTimeout in the replica's URL): " : ": lost the connection to ";
        String message = cluster.name + what + p.node.label() + ": " + SqlErrors.describe(e) + (inTransaction ? "; the transaction is lost: roll back and run it again" : "");
        return e instanceof SQLTransientConnectionException
                ? new SQLTransientConnectionException(message, e.getSQLState(), e.getErrorCode(), e)
                : new SQLNonTransientConnectionException(message, e.getSQLState(), e.getErrorCode(), e);
    }

    SQLException failed(Physical p, SQLException e) {
        return failed(p, e, cluster.ticker.read());
    }

    /**
     * Where a read goes: asks the router, and does what it answers — borrows the candidate replica
     * (the next one if that fails), waits there for the session's token, or reads the master's
     * position first when the session moves to another replica. Returns why the read goes where it
     * does; the server connection is then the held {@link #replica} or {@link #master}, by the
     * reason's {@link RouteReason#target() target}.
     */
    private RouteReason read(Consistency hint, boolean preparing, Node avoid) throws SQLException {
        return read(hint, preparing, avoid, true);
    }

    /**
     * As above; {@code mayMove} false for a statement that must run where it was prepared (a prepared
     * call; a prepared statement that cannot be prepared again elsewhere).
     */
    private RouteReason read(Consistency hint, boolean preparing, Node avoid, boolean mayMove) throws SQLException {
        Consistency c = Router.effective(hint, state.consistency, cluster.sessions.consistency(), cluster.consistency);
        ConsistencySession session = cluster.sessions.current();
        Node priced = null;
        if (c == Consistency.READ_YOUR_WRITES && !preparing && mayMove) {
            long costly = session.costlyWriteNanos();
            if (costly != ConsistencySession.NO_COSTLY_WRITE) {
                // Price the read before paying a round trip for the write's position: on the master it needs none.
                Node held = servers.replica != null && tx == null && servers.replica.node.readable() ? servers.replica.node : null;
                priced = cluster.router.candidate(held, avoid, session.lastReplica());
                if (cluster.router.masterCheaperUnread(session, priced, costly, cluster.ticker) && cheaperMasterAnswers()) {
                    readOnMaster(session, true);
                    return RouteReason.MASTER_CHEAPER;
                }
                mayMove = false; // priced: it waits for the replica (the one priced) if it must
            }
        }
        ConsistencyToken token = ConsistencyToken.none();
        if (c == Consistency.READ_YOUR_WRITES && !preparing) {
            requireSameKind(session.peek()); // before a write's position is merged into it
            try {
                token = session.token(capture, servers.master);
            } catch (IllegalArgumentException e) { // a position of the other kind, met in a merge
                throw new SQLException(cluster.name + ": the session's consistency token cannot take this cluster's positions: " + e.getMessage() + "; a token from another kind of cluster: drop it", "22023", e);
            }
            requireSameKind(token);
        }
        boolean barrierDone = false;
        for (int attempt = 0; ; attempt++) {
            if (servers.replica != null && tx == null && !servers.replica.node.readable()) {
                servers.retire(settings); // the monitor disqualified it (stopped, lagging, down): reads leave it
            }
            // The replica priced above, if still the choice: the selector is asked once per read (it may take turns).
            Node candidate = attempt > cluster.replicas.size() ? null
                    : attempt == 0 && priced != null && (servers.replica == null || servers.replica.node == priced) ? priced
                    : cluster.router.candidate(servers.replica == null ? null : servers.replica.node, avoid, session.lastReplica());
            Router.Route r = cluster.router.read(c, preparing, token, session, candidate, barrierDone, mayMove, cluster.ticker);
            boolean ryw = c == Consistency.READ_YOUR_WRITES && !preparing;
            switch (r.target) {
                case BARRIER:
                    barrier(session);
                    token = session.token();
                    barrierDone = true;
                    continue;
                case FALLBACK:
                    cluster.fallbacks.increment();
                    master();
                    readOnMaster(session, ryw);
                    return r.reason;
                case MASTER:
                    if (r.reason == RouteReason.MASTER_CHEAPER) {
                        if (!cheaperMasterAnswers()) {
                            mayMove = false; // the master was gone: the replica after all
                            continue;
                        }
                        readOnMaster(session, ryw);
                        return r.reason;
                    }
                    master();
                    readOnMaster(session, ryw); // no replica could take it, or the session is pinned: the same mark
                    return r.reason;
                default: // REPLICA, WAIT
                    Physical p = servers.replica != null && !closedUnder(servers.replica) ? servers.replica : servers.borrowReplica(candidate);
                    if (p == null) {
                        avoid = candidate; // marked down by the failed borrow: choose again
                        continue;
                    }
                    if (c == Consistency.READ_YOUR_WRITES && !preparing && session.lastReplica() != candidate) {
                        session.lastReplica(candidate); // a new weak reference only when the replica changes
                    }
                    if (r.target == Router.Target.WAIT) {
                        try {
                            // a wait for the session's own write teaches how long this replica takes to show
                            // what the master had (ReadCost), timed from when the master had the position
                            boolean learn = session.ownWriteNewest && !barrierDone;
                            boolean applied = waitFor(p, token.position(), learn ? session.positionAtNanos : 0, learn);
                            if (applied) {
                                return RouteReason.REPLICA_AFTER_WAIT;
                            }
                        } catch (SQLException e) {
                            if (avoid == candidate || !SqlErrors.isConnectionProblem(e)) {
                                throw e;
                            }
                            // The replica died under the wait (marked down, its connection dropped):
                            // nothing was read yet, so choose again without it.
                            avoid = candidate;
                            continue;
                        }
                        cluster.fallbacks.increment();
                        master();
                        readOnMaster(session, true);
                        return RouteReason.READ_YOUR_WRITES;
                    }
                    return r.reason;
            }
        }
    }



    /**
     * A read-your-writes read ran on the master: it may have seen more than the session's token (other
     * sessions' writes), so the session's next read on a replica first learns the master's position
     * (the barrier), and reads never go back in time.
     */
    private void readOnMaster(ConsistencySession session, boolean ryw) {
        if (ryw && cluster.mode() == ReadYourWritesMode.GTID) {
            session.readMaster(cluster.master); // not a replica: any replica is a move, behind the barrier
        }
    }

    /** Merges the master's current position into the session's token: best effort (MariaDB). */
    private void barrier(ConsistencySession session) {
        if (cluster.master.dialect == null || !cluster.master.available()) {
            return; // without the master's position, the token alone guards the read
        }
        try {
            GtidSet position = cluster.masterPosition(master().conn);
            if (position != null) {
                session.observePosition(position);
            }
        } catch (SQLException e) {
            // best effort, as above
        }
    }

    /** Waits, bounded, until the replica of {@code p} has applied {@code position}; whether it did. */
    private boolean waitFor(Physical p, GtidSet position, long writtenAtNanos, boolean learn) throws SQLException {
        ServerDialect dialect = p.node.dialect;
        if (dialect == null || position.isMysql() != (dialect != ServerDialect.MARIADB)) {
            return false; // a server not heard yet, or a position of the other kind: the master answers
        }
        cluster.waits.increment();
        long began = cluster.ticker.read();
        try (PreparedStatement ps = p.conn.prepareStatement(dialect.waitForPosition)) {
            ps.setString(1, position.toString());
            ps.setDouble(2, ServerDialect.waitSeconds(cluster.maxWaitNanos));
            try (ResultSet rs = ps.executeQuery()) {
                boolean applied = rs.next() && ServerDialect.applied(rs.getInt(1), rs.wasNull());
                if (learn) {
                    long ended = cluster.ticker.read();
                    p.node.waited(ended - writtenAtNanos, ended - began, !applied, cluster.learnCapNanos);
                }
                if (applied) {
                    p.node.advance(position);
                }
                return applied;
            }
        } catch (SQLException e) {
            throw failed(p, e);
        }
    }


    /** Counts a statement that runs on {@code p} under {@code reason}. */
    private void count(Physical p, RouteReason reason) {
        p.node.statementsServed.increment();
        RouteReason r = reason;
        if (p.onReplica() != (r.target() == NodeRole.REPLICA)) {
            r = p.onReplica() ? RouteReason.REPLICA : RouteReason.NO_REPLICA;
        }
        cluster.routed(r);
    }

    /** Applies the session state to {@code p} and makes it the last used. */
    private Physical use(Physical p) throws SQLException {
        apply(p);
        servers.lastUsed = p;
        state.lastUsed = p.role();
        return p;
    }

    /** Applies the session state to {@code p}; calls that touch no data stop here. */
    void apply(Physical p) throws SQLException {
        try {
            // Replicas outside a read-only transaction always run in auto-commit.
            boolean autoCommit = state.autoCommit || (p != tx && p.onReplica());
            if (p.autoCommit != autoCommit) {
                p.conn.setAutoCommit(autoCommit);
                p.autoCommit = autoCommit;
            }
            if (!p.onReplica() && p.readOnly != state.readOnly) { // replica pools hand out read-only sessions
                p.conn.setReadOnly(state.readOnly);
                p.readOnly = state.readOnly;
            }
            if (settings != null) {
                settings.applyTo(p);
            }
        } catch (SQLException e) {
            throw failed(p, e);
        }
    }

    /**
     * Whether the pool closed {@code p} under this connection, which then forgets it (a transaction
     * on it is lost): HikariCP closes a connection itself when any call on it fails with an error of
     * its own list (SQLState {@code 0A000}, {@code 01002}, error 1105…), which this class may never
     * see, or see as the statement's own error. Asked of the pool's proxy: no round trip.
     */
    private boolean closedUnder(Physical p) {
        boolean closed;
        String lost = null;
        if (p.deposed(cluster)) {
            // A promotion was followed: nothing more runs on the old master, not even this
            // transaction's commit (its writes would land where no replica follows).
            closed = true;
            lost = p.node.url.hostAndPort() + ", which is no longer the master (" + cluster.master.label() + " is)";
        } else {
            try {
                closed = p.conn.isClosed();
            } catch (SQLException e) {
                closed = true;
            }
        }
        if (closed) {
            if (p == tx) {
                endTransaction();
                txLost = lost != null ? lost : p.node.label();
            }
            drop(p);
        }
        return closed;
    }

    /** A call on a server connection that the monitor may abort: marked running on its lease while it runs. */
    private interface Call {
        void run() throws SQLException;
    }

    private void timed(Physical p, Call call) throws SQLException {
        Node.Lease lease = p.lease;
        if (lease != null) {
            lease.executingSince = cluster.ticker.read() | 1;
        }
        try {
            call.run();
        } finally {
            if (lease != null) {
                lease.executingSince = 0;
            }
        }
    }

    /**
     * Drops a master connection held from before a promotion was followed (or a master change since):
     * nothing more runs there. A transaction on it, or SQL session state tied to it (a transaction
     * opened in SQL, variables, temporary tables, locks), is lost with a clear error on the next
     * statement or commit, until rolled back; nothing of it is run again on the new master.
     */
    private void dropDeposed() {
        Physical m = servers.master;
        if (m == null || !m.deposed(cluster)) {
            return;
        }
        if (m != tx && state.forcedMaster && txLost == null) {
            txLost = m.node.url.hostAndPort() + ", which is no longer the master (" + cluster.master.label()
                    + " is), and the session state made there (an SQL transaction, variables, temporary tables, locks)";
        }
        closedUnder(m);
    }

    /** Fails the read when the session's token holds positions of the other server kind (an imported token). */
    private void requireSameKind(ConsistencyToken token) throws SQLException {
        ServerDialect dialect = cluster.master.dialect;
        if (!token.position().isEmpty() && dialect != null && token.position().isMysql() != (dialect != ServerDialect.MARIADB)) {
            throw new SQLException(cluster.name + ": the session's consistency token holds a " + (token.position().isMysql() ? "MySQL GTID set" : "MariaDB GTID position") + " but " + cluster.master.label() + " is " + (dialect == ServerDialect.MARIADB ? "MariaDB" : "MySQL") + ": a token from another kind of cluster; drop it", "22023");
        }
    }

    /**
     * Takes the master connection for a read that goes there only for being cheaper: whether it could.
     * A master found gone (now marked down) leaves the read to the replicas, as a master that was known
     * down would have; other failures are the statement's.
     */
    private boolean cheaperMasterAnswers() throws SQLException {
        try {
            master();
            return true;
        } catch (SQLException e) {
            if (!SqlErrors.isConnectionProblem(e)) {
                throw e;
            }
            return false;
        }
    }

    /** The master connection: the one held unless the pool closed it under us, else a new one. */
    private Physical master() throws SQLException {
        if (servers.master != null) {
            closedUnder(servers.master); // forgets it when the pool closed it
        }
        return servers.master();
    }

    /** Forgets a broken server connection and evicts it from its pool. */
    private void drop(Physical p) {
        servers.forget(p);
        if (capture != null) {
            capture.lost(p);
        }
        p.node.evict(p.conn);
    }

    private SQLException transactionLost() {
        return new SQLTransactionRollbackException(cluster.name + ": the transaction was lost with the connection to " + txLost + "; roll back, then run it again", "40000");
    }

    /** A server connection for calls that touch no data: one already held, else the master's. */
    Connection anyConnection() throws SQLException {
        checkOpen();
        dropDeposed();
        Physical p = tx != null ? tx : servers.lastUsed != null ? servers.lastUsed : servers.master != null ? servers.master : servers.replica;
        if (p == null) {
            // Borrow without routing anything: a replica for read-only work or while the master is
            // down, else the master. Catalog and schema set here apply, so metadata sees them.
            p = state.readOnly || !cluster.master.available() ? servers.anyReplica() : master();
            apply(p);
        }
        return p.conn;
    }


    void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException(cluster.name + ": connection is closed", "08003");
        }
    }

    static void checkSql(Cluster cluster, String sql) throws SQLException {
        if (sql == null) {
            throw new SQLException(cluster.name + ": the SQL text is null", "HY009");
        }
    }

    private void endTransaction() {
        tx = null;
        state.endTransaction();
    }


    // ---------------------------------------------------------------------------------------------
    // Ending transactions, and the connection

    /** {@code setAutoCommit}: switching it on commits the running transaction (JDBC). */
    void autoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        if (autoCommit == state.autoCommit) {
            return;
        }
        state.autoCommit = autoCommit;
        if (autoCommit) {
            dropDeposed(); // marks a transaction there lost: switching auto-commit on must not commit it there
        }
        if (autoCommit && txLost != null) {
            SQLException lost = transactionLost();
            txLost = null;
            throw lost;
        }
        if (autoCommit && tx != null) {
            Physical p = tx;
            endTransaction();
            if (capture != null) {
                capture.commitBegins();
            }
            try {
                timed(p, () -> p.conn.setAutoCommit(true));
            } catch (SQLException e) {
                if (capture != null) {
                    capture.commit(false); // it may have committed: keep its writes in the token
                }
                throw failed(p, e);
            }
            p.autoCommit = true;
            if (capture != null) {
                capture.commit(true);
            }
        }
    }

    void commit() throws SQLException {
        checkOpen();
        dropDeposed(); // a transaction on a deposed master is lost, never committed there
        if (txLost != null) {
            SQLException lost = transactionLost();
            txLost = null;
            throw lost;
        }
        if (tx != null) {
            Physical p = tx;
            if (capture != null) {
                capture.commitBegins();
            }
            try {
                timed(p, () -> p.conn.commit()); // a commit stuck on a master that froze is aborted like a statement
            } catch (SQLException e) {
                if (SqlErrors.isConnectionProblem(e)) {
                    if (capture != null) {
                        capture.commit(false); // the commit may have landed: its writes stay in the token
                    }
                }
                throw failed(p, e); // the transaction stays open (or is marked lost): rollback() still works
            }
            endTransaction();
            if (capture != null) {
                capture.commit(true);
            }
        } else if (sqlSessionOnMaster()) {
            boolean committed = false;
            try {
                sql(servers.master, "COMMIT"); // SET autocommit = 0 or BEGIN in SQL; a no-op if none is open
                committed = true;
            } catch (SQLException e) {
                throw failed(servers.master, e);
            } finally {
                if (capture != null) {
                    capture.executed(true, true, committed); // its writes are committed now: capture them again
                }
            }
        }
    }

    /**
     * Whether a master connection is held that session state ties this connection to: there the
     * application may have opened a transaction in SQL ({@code SET autocommit = 0}, {@code BEGIN}),
     * which {@code commit()} and {@code rollback()} then end, in SQL (drivers do not all see it).
     */
    private boolean sqlSessionOnMaster() {
        return servers.master != null && (state.forcedMaster || state.useMaster) && !closedUnder(servers.master);
    }

    private static void sql(Physical p, String sql) throws SQLException {
        try (Statement st = p.conn.createStatement()) {
            st.execute(sql);
        }
    }

    void rollback() throws SQLException {
        checkOpen();
        txLost = null;
        if (tx != null) {
            Physical p = tx;
            endTransaction();
            if (capture != null) {
                capture.rollback(); // its writes are gone; earlier committed ones stay pending
            }
            try {
                timed(p, () -> p.conn.rollback());
            } catch (SQLException e) {
                throw failed(p, e);
            }
        } else if (sqlSessionOnMaster()) {
            try {
                sql(servers.master, "ROLLBACK");
            } catch (SQLException e) {
                throw failed(servers.master, e);
            }
        }
    }

    /** The running transaction's connection, starting the transaction if none runs (savepoints). */
    Physical transaction() throws SQLException {
        checkOpen();
        if (state.autoCommit) {
            throw new SQLException(cluster.name + ": savepoints need a transaction: setAutoCommit(false) first", "25000");
        }
        return tx != null ? tx : route(state.readOnly ? StatementKind.READ : StatementKind.WRITE, true, null);
    }

    /** The running transaction's connection for a savepoint call; none runs: an error. */
    Physical running(String what) throws SQLException {
        checkOpen();
        if (txLost != null) {
            throw transactionLost();
        }
        if (tx == null) {
            throw new SQLException(cluster.name + ": no transaction runs, so there is no savepoint to " + what, "3B001");
        }
        return tx;
    }

    /** Applies changed settings to the server connections held now. */
    void applyToHeld() throws SQLException {
        if (servers.master != null) {
            apply(servers.master);
        }
        if (servers.replica != null) {
            apply(servers.replica);
        }
    }

    void abort(Executor executor) throws SQLException {
        if (closed) {
            return;
        }
        if (executor == null) {
            throw new SQLException(cluster.name + ": abort needs an executor (JDBC); the connection stays open", "HY009");
        }
        if (capture != null) {
            capture.abort(); // no time to ask for the position: the session pins to the master instead
        }
        closed = true;
        SQLException first = servers.abortAll(executor);
        endTransaction();
        if (first != null) {
            throw first;
        }
    }

    void close() {
        if (closed) {
            return;
        }
        // Committed writes are deferred to the master's position (no round trip now); writes of a
        // transaction still open are rolled back by the pool.
        if (capture != null) {
            capture.capture(servers.master, true);
        }
        closed = true;
        endTransaction();
        servers.releaseAll(settings, state.forcedMaster);
    }
}
