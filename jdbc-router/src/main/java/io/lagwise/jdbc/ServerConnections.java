package io.lagwise.jdbc;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The server connections one {@link RoutingConnection} holds, and their lifecycle: at most one
 * master and one replica connection, borrowed from the nodes' pools when a statement first needs
 * them and kept for the connection's life (results may still be open on them, and one replica keeps
 * the connection's reads monotonic); a replica connection that reads left because the monitor found
 * its replica unfit ({@link #retire}); and the end of each: back to its pool, or closed when it must
 * not be handed out again. Which server a statement needs is {@link ConnectionRouting}'s question.
 */
final class ServerConnections {

    private final Cluster cluster;
    Physical master;
    Physical replica;
    /** Where the last statement ran; {@code SHOW WARNINGS} and the like follow it. */
    Physical lastUsed;
    /** A replica connection reads left because its replica became unfit; released at the next retire or at close. */
    Physical retired;

    ServerConnections(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * The master connection, borrowed if none is held.
     *
     * @throws SQLException naming the master: known down, unreachable, or its pool full
     */
    Physical master() throws SQLException {
        if (master != null) {
            return master;
        }
        for (int attempt = 0; ; attempt++) {
            Node node = cluster.master;
            long epoch = cluster.masterEpoch; // after the master: follow() counts the epoch before it swaps the master
            if (!node.available()) {
                throw cluster.masterDown(node);
            }
            Physical p = borrowMaster(node, epoch);
            if (!p.deposed(cluster)) {
                master = p;
                return master;
            }
            // a promotion was followed while this waited for the old master's pool: not that connection
            node.release(p.conn);
            if (attempt >= 2) {
                throw new SQLTransientConnectionException(cluster.name + ": the master changed while a connection to it was being borrowed (" + node.url.hostAndPort() + ", then " + cluster.master.label() + "); nothing was run", "08001");
            }
        }
    }

    private Physical borrowMaster(Node node, long epoch) throws SQLException {
        try {
            Physical p = new Physical(node, node.borrow(), io.lagwise.core.NodeRole.MASTER);
            p.epoch = epoch;
            return p;
        } catch (SQLException e) {
            if (e instanceof Node.GaveUp) {
                // found down (by the monitor, or another borrow) while this one waited for the pool
                throw new SQLTransientConnectionException(cluster.name + ": cannot reach " + e.getMessage(), "08001", e);
            }
            throw SqlErrors.isServerUnreachable(e) ? cluster.masterUnreachable(node, e) : cluster.masterBusy(node, e);
        }
    }

    /**
     * Borrows a connection to {@code node} and holds it as the replica connection; null when the
     * node cannot be used now (unreachable or refusing sessions: marked down by the borrow; or its
     * pool full), so that the caller tries the next one.
     */
    Physical borrowReplica(Node node) throws SQLException {
        try {
            replica = new Physical(node, node.borrow(), io.lagwise.core.NodeRole.REPLICA);
            return replica;
        } catch (SQLException e) {
            if (!(e instanceof SQLTransientConnectionException) && !SqlErrors.isConnectionProblem(e)) {
                throw e;
            }
            return null;
        }
    }

    /**
     * Stops reading from the held replica, which the monitor no longer finds fit. Its server
     * connection stays out of the pool until the next retire or the close (results may still be open
     * on it): one at most, so that a flapping replica cannot drain its pool.
     */
    void retire(SessionSettings settings) {
        release(retired, settings, false);
        retired = replica;
        if (lastUsed == replica) {
            lastUsed = null;
        }
        replica = null;
    }

    /** Forgets a server connection that broke; the caller evicts it. */
    void forget(Physical p) {
        if (master == p) {
            master = null;
        }
        if (replica == p) {
            replica = null;
        }
        if (lastUsed == p) {
            lastUsed = null;
        }
        if (retired == p) {
            retired = null;
        }
    }

    /**
     * Gives a server connection back to its pool, clean, or closes it when it must not be handed out
     * again: a master connection that session state was made on ({@code sessionPinned}: variables, a
     * transaction or table locks opened in SQL, named locks, temporary tables, which no driver
     * reports in full), or one to a replica marked down.
     */
    void release(Physical p, SessionSettings settings, boolean sessionPinned) {
        if (p == null) {
            return;
        }
        try {
            if ((p == master && sessionPinned) || (p.onReplica() && !p.node.available())) {
                p.node.evict(p.conn);
                return;
            }
            if (settings != null) {
                settings.clean(p);
            }
        } catch (SQLException e) {
            p.node.evict(p.conn);
            return;
        }
        p.node.release(p.conn);
    }

    /** Releases every held server connection (see {@link #release}) and forgets them. */
    void releaseAll(SessionSettings settings, boolean sessionPinned) {
        release(master, settings, sessionPinned);
        release(replica, settings, false);
        release(retired, settings, false);
        master = null;
        replica = null;
        retired = null;
        lastUsed = null;
    }

    /**
     * Aborts and evicts every held server connection, each on its own (one failing does not keep
     * the others in their pools).
     *
     * @return the first failure, or null
     */
    SQLException abortAll(Executor executor) {
        SQLException first = null;
        List<Physical> held = new ArrayList<>(3);
        held.add(master);
        held.add(replica);
        held.add(retired);
        for (Physical p : held) {
            if (p != null) {
                try {
                    p.conn.abort(executor);
                } catch (SQLException e) {
                    first = first == null ? e : first;
                }
                p.node.evict(p.conn);
            }
        }
        master = null;
        replica = null;
        retired = null;
        lastUsed = null;
        return first;
    }

    /**
     * A replica connection for calls that touch no data, borrowed without routing anything: the
     * selector's choice, the next if it cannot be used, else the master (unless reads must fail).
     */
    Physical anyReplica() throws SQLException {
        Node avoid = null;
        for (int attempt = 0; attempt <= cluster.replicas.size(); attempt++) {
            Node node = cluster.chooseReplica(avoid);
            if (node == null) {
                break;
            }
            Physical p = borrowReplica(node);
            if (p != null) {
                return p;
            }
            avoid = node;
        }
        if (cluster.readFallback == ReadFallback.FAIL) {
            throw cluster.noReplica();
        }
        return master();
    }
}
