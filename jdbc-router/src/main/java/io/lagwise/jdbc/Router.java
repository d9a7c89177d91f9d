package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.ConsistencyToken;
import io.lagwise.core.NodeRole;
import io.lagwise.core.Ticker;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Where a statement or a transaction runs, and why: the routing decision of one data source, in one
 * place.
 *
 * <p>It answers two questions, each as a value ({@link Route}: a target and the reason it is
 * counted under), never by setting state for someone to read back:
 *
 * <ol>
 *   <li>{@link #place}: given the connection's session state ({@link ConnectionState}) and what the
 *       statement is, does it go to the master, follow the running transaction, follow the previous
 *       statement, or is it a read that (2) decides? A statement that must not run at all — a write
 *       on a read-only connection, a hint or session state inside a read-only transaction that
 *       already runs on a replica — is refused here, with its reason.</li>
 *   <li>{@link #read}: given the read's consistency, the session's token, the replica it would use
 *       and the clock, does the read go to that replica, to it after a bounded wait for the token,
 *       to the master (and why), or must the session first learn the master's position (a move to
 *       another replica: monotonic reads)?</li>
 * </ol>
 *
 * <p>It does no I/O and holds no state of its own: the connection borrows, waits and reads
 * positions, then asks again with what it learnt. That is why every row of the README's routing
 * table is a unit test with fake nodes and a fake ticker ({@code RouterTest}), and why deciding costs
 * a few nanoseconds and allocates nothing: every route is a preallocated constant.
 */
final class Router {

    /** Where a {@link Route} sends a statement. */
    enum Target {
        /** The master. */
        MASTER,
        /** A read: {@link #read} decides. */
        READ,
        /** The running transaction's server. */
        TRANSACTION,
        /** The server the connection's previous statement ran on (the master if none). */
        LAST_USED,
        /** The candidate replica. */
        REPLICA,
        /** The candidate replica after a bounded wait for the session's token; the master if it times out. */
        WAIT,
        /** First merge the master's current position into the session's token, then ask again. */
        BARRIER,
        /** The master, because no replica had the session's writes: counted as a read-your-writes fallback. */
        FALLBACK
    }

    /** One decision. Preallocated for every combination: deciding allocates nothing. */
    static final class Route {
        private static final Route[] ALL = new Route[Target.values().length * RouteReason.values().length * 2];

        static {
            for (Target t : Target.values()) {
                for (RouteReason r : RouteReason.values()) {
                    for (int pin = 0; pin < 2; pin++) {
                        ALL[index(t, r, pin == 1)] = new Route(t, r, pin == 1);
                    }
                }
            }
        }

        final Target target;
        final RouteReason reason;
        /** The statement makes session state on the master: the connection stays there from now on. */
        final boolean pinsMaster;

        private Route(Target target, RouteReason reason, boolean pinsMaster) {
            this.target = target;
            this.reason = reason;
            this.pinsMaster = pinsMaster;
        }

        static Route of(Target target, RouteReason reason) {
            return ALL[index(target, reason, false)];
        }

        static Route pinning(Target target, RouteReason reason) {
            return ALL[index(target, reason, true)];
        }

        private static int index(Target t, RouteReason r, boolean pin) {
            return (t.ordinal() * RouteReason.values().length + r.ordinal()) * 2 + (pin ? 1 : 0);
        }

        @Override
        public String toString() {
            return target + "/" + reason + (pinsMaster ? "/pins" : "");
        }
    }

    private static final Route WRITE = Route.of(Target.MASTER, RouteReason.WRITE);
    private static final Route SESSION_STATE = Route.pinning(Target.MASTER, RouteReason.WRITE);
    private static final Route MASTER_REQUIRED = Route.of(Target.MASTER, RouteReason.MASTER_REQUIRED);
    private static final Route READ = Route.of(Target.READ, RouteReason.REPLICA);
    private static final Route REPLICA = Route.of(Target.REPLICA, RouteReason.REPLICA);
    private static final Route WAIT = Route.of(Target.WAIT, RouteReason.REPLICA_AFTER_WAIT);
    private static final Route BARRIER = Route.of(Target.BARRIER, RouteReason.REPLICA);
    private static final Route STRONG = Route.of(Target.MASTER, RouteReason.STRONG);
    private static final Route PINNED = Route.of(Target.MASTER, RouteReason.READ_YOUR_WRITES);
    private static final Route FALLBACK = Route.of(Target.FALLBACK, RouteReason.READ_YOUR_WRITES);
    private static final Route MASTER_CHEAPER = Route.of(Target.MASTER, RouteReason.MASTER_CHEAPER);
    private static final Route NO_REPLICA = Route.of(Target.MASTER, RouteReason.NO_REPLICA);

    private final Cluster cluster;

    Router(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Where a statement of this kind goes, given the connection's state.
     *
     * @throws SQLException (25006) a write on a read-only connection; a {@code lagwise:master} hint or
     *     session state inside a read-only transaction that already runs on a replica
     */
    Route place(StatementKind kind, ConnectionState s) throws SQLException {
        if (kind == StatementKind.WRITE && s.readOnly) {
            throw readOnlyWrite(); // never sent to a replica, never moved to the master behind the application's back
        }
        if (s.transaction != null) {
            boolean onReplica = s.transaction == NodeRole.REPLICA;
            if (onReplica) {
                refuseOnReplicaTransaction(kind);
            }
            if (mayWrite(kind)) {
                return kind == StatementKind.SESSION ? SESSION_STATE : WRITE;
            }
            // The first statement carries the reason its server was chosen for (a wait, say, made
            // when it was prepared); later ones just follow it there.
            RouteReason r = onReplica && s.transactionStatements > 0 ? RouteReason.REPLICA : s.transactionReason;
            return Route.of(Target.TRANSACTION, r);
        }
        boolean toMaster = s.forcedMaster || s.useMaster || kind == StatementKind.MASTER_HINT;
        if (!s.autoCommit) { // this statement begins a transaction, on one server until its end
            if (s.readOnly && !toMaster) {
                // Session state would stay behind in a pooled replica session where nobody sees it
                // (a named lock that excludes no one): the read-only transaction runs on the master.
                return kind == StatementKind.SESSION ? Route.pinning(Target.MASTER, RouteReason.MASTER_REQUIRED) : READ;
            }
            return kind == StatementKind.SESSION ? SESSION_STATE : mayWrite(kind) ? WRITE : MASTER_REQUIRED;
        }
        if (toMaster) {
            return kind == StatementKind.SESSION ? SESSION_STATE : mayWrite(kind) ? WRITE : MASTER_REQUIRED;
        }
        switch (kind) {
            case READ:
                return READ;
            case LOCKING_READ:
                return s.readOnly ? READ : MASTER_REQUIRED;
            case SESSION:
            case TRANSACTION_CONTROL: // in auto-commit it shapes whatever runs next in that server session
                return SESSION_STATE; // session state must stay where it was made: the master, from now on
            case LAST_USED:
                return s.lastUsed == NodeRole.REPLICA ? Route.of(Target.LAST_USED, RouteReason.REPLICA)
                        : Route.of(Target.LAST_USED, RouteReason.MASTER_REQUIRED);
            default: // WRITE
                return WRITE;
        }
    }

    private void refuseOnReplicaTransaction(StatementKind kind) throws SQLException {
        if (kind == StatementKind.MASTER_HINT) {
            throw new SQLException(cluster.name + ": a lagwise:master hint inside a read-only transaction that already runs on a replica; a transaction never spans two servers: give the hint on its first statement, or call useMaster() before it", "25006");
        }
        if (kind == StatementKind.SESSION) {
            throw new SQLException(cluster.name + ": session state (SET, a user variable, a temporary table, GET_LOCK) inside a read-only transaction that already runs on a replica would stay behind in a pooled replica session; make it the transaction's first statement (the transaction then runs on the master), or call useMaster() before the transaction", "25006");
        }
    }

    /** Statements that may change data or session state: routed as writes, and captured for read-your-writes. */
    static boolean mayWrite(StatementKind kind) {
        return kind == StatementKind.WRITE || kind == StatementKind.SESSION;
    }

    /**
     * A statement made with {@code CONCUR_UPDATABLE} writes through {@code updateRow},
     * {@code insertRow} and {@code deleteRow}: its query runs as a write (on the master, captured for
     * read-your-writes), unless the connection is read-only, where it stays a read.
     */
    static StatementKind forConcurrency(StatementKind kind, int concurrency, boolean readOnly) {
        if (concurrency != ResultSet.CONCUR_UPDATABLE || readOnly) {
            return kind;
        }
        return kind == StatementKind.READ || kind == StatementKind.LOCKING_READ ? StatementKind.WRITE : kind;
    }

    /** A read's consistency: its statement's hint, else its connection's, else its thread's, else the default. */
    static Consistency effective(Consistency hint, Consistency connection, Consistency thread, Consistency fallback) {
        return hint != null ? hint : connection != null ? connection : thread != null ? thread : fallback;
    }

    /**
     * The replica a read would use: the one the connection holds (kept for its life, so that its
     * reads never go back in time), else the selector's choice without {@code avoid}, keeping the
     * session's last replica while it is as good a choice; null when none is usable.
     *
     * @throws SQLException if the replica selector fails (see {@link Cluster#chooseReplica})
     */
    Node candidate(Node held, Node avoid, Node last) throws SQLException {
        return held != null ? held : cluster.chooseReplica(avoid, last);
    }

    /**
     * Where a read goes.
     *
     * @param c the read's consistency ({@link #effective})
     * @param preparing the statement is only being prepared: choose where it will most likely run,
     *     without the read-your-writes checks (each execution decides for real)
     * @param token the session's token, settled (its pending writes captured); ignored unless
     *     {@code READ_YOUR_WRITES}
     * @param session the session: its last replica, last write time and pin
     * @param candidate the replica the read would use ({@link #candidate}); null if none
     * @param barrierDone the session already merged the master's position for this read
     * @param ticker the data source's clock, read only when a pin window decides (a clock read costs
     *     as much as the rest of the decision)
     * @throws SQLException (08001) when no replica can take the read and the fallback is {@code FAIL}
     */
    Route read(Consistency c, boolean preparing, ConsistencyToken token, ConsistencySession session, Node candidate,
            boolean barrierDone, Ticker ticker) throws SQLException {
        return read(c, preparing, token, session, candidate, barrierDone, true, ticker);
    }

    /**
     * As above; {@code mayMove} false for a read that must run on {@code candidate} (a prepared call:
     * its OUT parameters belong to one server): it waits there rather than go to the master for
     * being cheaper.
     */
    Route read(Consistency c, boolean preparing, ConsistencyToken token, ConsistencySession session, Node candidate,
            boolean barrierDone, boolean mayMove, Ticker ticker) throws SQLException {
        if (c == Consistency.STRONG) {
            return STRONG;
        }
        boolean ryw = c == Consistency.READ_YOUR_WRITES && !preparing;
        if (ryw && session.pinned && session.pinnedUntilNanos - ticker.read() > 0 && cluster.master.available()) {
            // A write's position could not be read: the pin window covers it. (A master that is
            // down cannot serve: reads then go on from replicas, as they must.)
            return PINNED;
        }
        if (candidate == null) {
            if (cluster.readFallback == ReadFallback.FAIL) {
                throw cluster.noReplica();
            }
            return NO_REPLICA;
        }
        if (!ryw) {
            return REPLICA;
        }
        Node last = session.lastReplica();
        if (!barrierDone && last != null && last != candidate && cluster.mode() == ReadYourWritesMode.GTID) {
            // Moving to another replica (or leaving the master): it must be at least as far along as
            // what the session may have read before, which is at most what the master has now. When
            // the session's own write is not known there yet, the master may be the cheaper place
            // (it needs no barrier): priced first, as below.
            if (mayMove && session.ownWriteNewest && !token.position().isEmpty() && cluster.maxWaitNanos > 0
                    && !candidate.knownPosition.isAtLeast(token.position()) && cluster.master.available()
                    && masterCheaper(candidate, session.lastWriteNanos, ticker)) {
                return MASTER_CHEAPER;
            }
            return BARRIER;
        }
        if (token.isEmpty()) {
            return REPLICA;
        }
        if (cluster.mode() == ReadYourWritesMode.PIN || token.position().isEmpty()) {
            boolean inWindow = ticker.read() - session.lastWriteNanos < cluster.pinWindow.nanos();
            return inWindow && cluster.master.available() ? PINNED : REPLICA;
        }
        if (candidate.knownPosition.isAtLeast(token.position())) {
            return REPLICA;
        }
        if (cluster.maxWaitNanos <= 0) {
            return FALLBACK;
        }
        // Not known there yet: wait on the replica or read the master, whichever costs less. Only the
        // session's own write gives a time to reckon from (an imported token's is another clock's, a
        // merged master position has none): without it, wait.
        Node master = cluster.master;
        if (!mayMove || !session.ownWriteNewest || !master.available()) {
            return WAIT;
        }
        return masterCheaper(candidate, session.lastWriteNanos, ticker) ? MASTER_CHEAPER : WAIT;
    }

    /**
     * Whether a read-your-writes read is cheaper on the master than waiting on {@code candidate} for a
     * write made at {@code writtenAtNanos} (ticker), the master's budget taken if so. A wait the
     * estimate says would run out counts as cheaper on the master, within the budget: estimates run
     * high under load, and a budget of 0 means every such read tries the replica.
     */
    private boolean masterCheaper(Node candidate, long writtenAtNanos, Ticker ticker) {
        Node master = cluster.master;
        long now = ticker.read();
        return ReadCost.masterCheaper(master.rttNanos, master.inFlight(), master.maxPoolSize, candidate.rttNanos,
                candidate.applyDelayNanos(), now - writtenAtNanos, cluster.maxWaitNanos)
                && cluster.masterBudget.take(now, cluster.writesRouted());
    }

    /**
     * Before the session's newest write's position is read — a round trip to the master where the
     * driver does not report it — whether the read after it goes to the master anyway, priced as
     * {@link #read} prices it: then the round trip is saved (a master read needs no position).
     * {@code writtenAtNanos}: when that write was made ({@link ConsistencySession#costlyWriteNanos()}).
     * Priced once: a read priced here that stays with the replicas is not priced again.
     */
    boolean masterCheaperUnread(ConsistencySession session, Node candidate, long writtenAtNanos, Ticker ticker) {
        if (candidate == null || cluster.maxWaitNanos <= 0 || cluster.mode() != ReadYourWritesMode.GTID
                || !cluster.master.available()
                || session.pinned && session.pinnedUntilNanos - ticker.read() > 0) {
            return false; // no replica (the master anyway), no waits, pinned: as read() decides
        }
        return masterCheaper(candidate, writtenAtNanos, ticker);
    }

    SQLException readOnlyWrite() {
        return new SQLException(cluster.name + ": cannot run a write on a read-only connection; writes never go to a replica (call setReadOnly(false) first)", "25006");
    }
}
