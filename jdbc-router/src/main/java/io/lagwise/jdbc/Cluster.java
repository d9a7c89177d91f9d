package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.GtidSet;
import io.lagwise.core.NodeRole;
import io.lagwise.core.ReplicaSelector;
import io.lagwise.core.Ticker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The nodes of one data source and the policy that chooses among them; immutable after build. */
final class Cluster {

    final String name;
    /** The master: as configured, until the monitor follows a promotion ({@link #follow}). */
    volatile Node master;
    /** Every node but the master, in configuration order (the configured master where it was). */
    volatile List<Node> replicas;
    /** Every configured node, the configured master first: the order {@link io.lagwise.core.MasterElection} indexes. */
    final List<Node> nodes;
    /**
     * Why writes are refused now (two servers qualify as master; the master is read-only), or null.
     * Set by the monitor; a master known down fails writes through {@link #masterDown(Node)} instead.
     */
    volatile String writesRefused;
    /**
     * Counts the master's changes (promotions followed since start): a master connection of an earlier
     * epoch is deposed, even if roles flipped back.
     */
    volatile long masterEpoch;
    final ReplicaSelector selector;
    final String localRegion;
    final ReadFallback readFallback;
    final StatementClassifier classifier;
    final Sessions sessions;
    final Ticker ticker;
    /** How long a session whose write position is unknown reads from the master; the monitor publishes it. */
    final PinWindow pinWindow;
    /** The routing decision. */
    final Router router;
    /**
     * How recently the monitor must have heard a replica for a read that timed out there to count
     * as merely slow (twice the monitor interval; set at build).
     */
    long answerWindowNanos = 500_000_000L;
    final Consistency consistency;
    /** The read-your-writes mode configured; see {@link #mode()} for the one in force. */
    final ReadYourWritesMode configuredMode;
    final long maxWaitNanos;
    /** The longest apply delay a replica's waits may teach (the maximum replication lag; set at build). */
    long learnCapNanos = Long.MAX_VALUE;
    /** Reads read-your-writes may send to the master because it is cheaper there. */
    final MasterBudget masterBudget;
    final LongAdder waits = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    /** Statements routed, indexed by {@link RouteReason#ordinal()}. */
    private final LongAdder[] routed = new LongAdder[REASONS.length];
    private static final RouteReason[] REASONS = RouteReason.values();

    Cluster(String name, Node master, List<Node> replicas, ReplicaSelector selector, String localRegion,
            ReadFallback readFallback, StatementClassifier classifier, Consistency consistency,
            ReadYourWritesMode mode, Duration maxWait, Duration pinMinimum, double masterBudget,
            Ticker ticker) {
        this.name = name;
        this.master = master;
        this.replicas = List.copyOf(replicas);
        List<Node> all = new java.util.ArrayList<>();
        all.add(master);
        all.addAll(replicas);
        this.nodes = List.copyOf(all);
        this.selector = selector;
        this.localRegion = localRegion;
        this.readFallback = readFallback;
        this.classifier = classifier;
        this.consistency = consistency;
        this.configuredMode = mode;
        this.maxWaitNanos = maxWait.toNanos();
        this.masterBudget = new MasterBudget(masterBudget, ticker.read());
        this.ticker = ticker;
        this.sessions = new Sessions(ticker);
        this.pinWindow = new PinWindow(pinMinimum.toNanos(), ticker.read());
        this.router = new Router(this);
        for (int i = 0; i < routed.length; i++) {
            routed[i] = new LongAdder();
        }
    }

    /**
     * Makes {@code next} the master (a promotion the servers show, see {@code ReplicaMonitor}): new
     * writes go there at once; connections held on the old master fail their next statement (a
     * transaction there is lost with a clear error, never run again elsewhere); every other node is a
     * replica, reads going to it while it replicates and is fresh.
     *
     * @return the previous master
     */
    synchronized Node follow(Node next) {
        Node previous = master;
        if (next == previous) {
            return previous;
        }
        next.role(NodeRole.MASTER); // its writing pool first: once it is the master, writes borrow there
        List<Node> rs = new java.util.ArrayList<>(nodes.size() - 1);
        for (Node n : nodes) {
            if (n != next) {
                rs.add(n);
            }
        }
        masterEpoch++;
        master = next;
        replicas = List.copyOf(rs);
        for (Node n : rs) {
            n.role(NodeRole.REPLICA);
        }
        if (previous.health == io.lagwise.core.Health.UP) {
            // judged as a master until now: no reads until a probe finds it replicating, and fresh
            previous.lastError = "no longer the master; not yet seen replicating";
            previous.health = io.lagwise.core.Health.REPLICATION_STOPPED;
        }
        return previous;
    }

    /** Promotions followed since start. */
    long masterChanges() {
        return masterEpoch;
    }

    /** A write refused while {@link #writesRefused} says why. */
    SQLException writeRefused(String why) {
        return new SQLTransientConnectionException(name + ": write refused: " + why, "08004");
    }

    /** Writes routed to the master so far (the master budget's measure). */
    long writesRouted() {
        return routed[RouteReason.WRITE.ordinal()].sum();
    }

    /**
     * The read-your-writes mode in force: as configured, except that GTID mode works by time (PIN)
     * while the master gives transactions no GTIDs (MySQL with {@code gtid_mode} not ON).
     */
    ReadYourWritesMode mode() {
        return configuredMode == ReadYourWritesMode.GTID && !master.writesGtids ? ReadYourWritesMode.PIN : configuredMode;
    }

    /**
     * The master's current GTID position ({@code @@gtid_binlog_pos}) on a pooled connection; null
     * when it cannot be read (a MySQL server, the master unreachable).
     */
    /**
     * A master position that holds every write committed before {@code atNanos} (ticker), known
     * without a query: the last master probe, if it was sent after that moment; else null. Lower
     * than the master's current position, so replicas reach it sooner.
     */
    Node.Probed probedAfter(long atNanos) {
        Node.Probed p = master.probed;
        return p != null && p.sentAtNanos() - atNanos > 0 && master.writesGtids && !p.position().isEmpty() ? p : null;
    }

    GtidSet masterPosition(Connection held) {
        ServerDialect dialect = master.dialect;
        if (dialect == null || !master.available()) {
            return null;
        }
        if (held != null) {
            try {
                return binlogPosition(held, dialect.masterPosition);
            } catch (SQLException | IllegalArgumentException e) {
                return null; // the connection's own statements will find out whether it broke
            }
        }
        Connection c;
        try {
            c = master.borrow();
        } catch (SQLException e) {
            return null;
        }
        boolean broken = false;
        try {
            return binlogPosition(c, dialect.masterPosition);
        } catch (SQLException e) {
            broken = SqlErrors.isConnectionProblem(e);
            return null;
        } catch (IllegalArgumentException e) {
            return null;
        } finally {
            if (broken) {
                master.evict(c);
            } else {
                master.release(c);
            }
        }
    }

    private static GtidSet binlogPosition(Connection c, String query) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            String pos = rs.next() ? rs.getString(1) : null;
            return pos == null || pos.isEmpty() ? null : GtidSet.parse(pos);
        }
    }

    void routed(RouteReason reason) {
        routed[reason.ordinal()].increment();
    }

    RoutingStats stats() {
        Map<RouteReason, Long> counts = new EnumMap<>(RouteReason.class);
        for (RouteReason r : REASONS) {
            counts.put(r, routed[r.ordinal()].sum());
        }
        return new RoutingStats(counts, waits.sum(), fallbacks.sum(), masterBudget.refused());
    }

    /**
     * The replica a read should use, never {@code failed}; {@code null} when none is usable.
     *
     * @throws SQLException if the replica selector (the application's policy) fails or answers an
     *     index out of range
     */
    Node chooseReplica(Node failed) throws SQLException {
        return chooseReplica(failed, null);
    }

    /**
     * As above, keeping {@code preferred} (the session's last replica) while it is usable and as good
     * a choice as the selector's (same locality, same backup status): a session that keeps to one
     * replica reads monotonically without any check, yet still moves back to a better one.
     */
    Node chooseReplica(Node failed, Node preferred) throws SQLException {
        Node chosen = chooseSelected(failed);
        // (The session's last read may have been on the master — a marker, not a replica to keep to.)
        if (preferred != null && chosen != null && preferred != chosen && preferred != failed
                && preferred.role == NodeRole.REPLICA && preferred.usable()
                && preferred.backup == chosen.backup && isLocal(preferred) == isLocal(chosen)) {
            return preferred;
        }
        return chosen;
    }

    private boolean isLocal(Node n) {
        return localRegion == null || localRegion.equals(n.region);
    }

    private Node chooseSelected(Node failed) throws SQLException {
        List<Node> replicas = this.replicas; // one list throughout, though a promotion be followed meanwhile
        if (replicas.isEmpty()) {
            return null;
        }
        int excluded = failed == null ? -1 : replicas.indexOf(failed);
        int i;
        try {
            i = selector.select(replicas, localRegion, excluded);
        } catch (RuntimeException e) {
            throw new SQLException(name + ": replica selector " + selector + " failed: " + e, "HY000", e);
        }
        if (i < -1 || i >= replicas.size()) {
            throw new SQLException(name + ": replica selector " + selector + " returned " + i + " for " + replicas.size() + " replicas", "HY000");
        }
        return i < 0 ? null : replicas.get(i);
    }

    /** Why no replica could take a read, with counts, in HikariCP's style. */
    SQLException noReplica() {
        int up = 0;
        int busy = 0;
        for (Node r : replicas) {
            if (r.available()) {
                up++;
                if (!r.usable()) {
                    busy++;
                }
            }
        }
        return new SQLTransientConnectionException(name + ": no replica could serve the read (replicas=" + replicas.size() + ", up=" + up + ", saturated=" + busy + ") and readFallback is FAIL", "08001");
    }

    /** Fails a write fast while the master is known to be down. */
    SQLException masterDown(Node master) {
        return new SQLTransientConnectionException(name + ": " + master.label() + " is down (for " + master.downFor().toMillis() + " ms: " + master.downReason() + "); writes, and reads that fall back to it, fail until it answers again", "08001");
    }

    /** The master's pool had no free connection in time: the server is fine, the pool is full. */
    SQLException masterBusy(Node master, SQLException cause) {
        return new SQLTransientConnectionException(name + ": no connection to " + master.label() + " became free in time: " + SqlErrors.describe(cause), cause.getSQLState(), cause);
    }

    /** Wraps a failure to reach the master, naming it. */
    SQLException masterUnreachable(Node master, SQLException cause) {
        return new SQLTransientConnectionException(name + ": cannot reach " + master.label() + ": " + SqlErrors.describe(cause), cause.getSQLState() != null ? cause.getSQLState() : "08001", cause);
    }
}
