package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.NodeRole;
import io.lagwise.core.ReplicaSelector;
import io.lagwise.core.ReplicaView;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A master and replicas made of {@link FakeServer}s, each node with a real HikariCP pool, a
 * {@link Cluster} over them with a {@link FakeTicker}, and the {@link RoutingConnection}s a test
 * opens: everything a test of the routing glue needs, closed with the test. No monitor runs: a test
 * sets what it would have found ({@code health}, {@code answeredAt}, {@code knownPosition}) by hand.
 *
 * <p>Replicas are chosen in configuration order (the first usable one, never the excluded one), so a
 * test knows where a read goes; the selector's own policy is tested elsewhere.
 */
final class FakeCluster implements AutoCloseable {

    /** The first usable replica in configuration order that is not excluded. */
    static final ReplicaSelector IN_ORDER = (List<? extends ReplicaView> replicas, String region, int excluded) -> {
        for (int i = 0; i < replicas.size(); i++) {
            if (i != excluded && replicas.get(i).usable()) {
                return i;
            }
        }
        return -1;
    };

    final FakeTicker ticker = new FakeTicker();
    final List<FakeServer.Executed> journal = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger ids = new AtomicInteger();
    final FakeServer master;
    final List<FakeServer> replicas = new ArrayList<>();
    final Node masterNode;
    final List<Node> replicaNodes = new ArrayList<>();
    final Cluster cluster;
    private final List<RoutingConnection> connections = new ArrayList<>();

    /** Two replicas (oslo-1, oslo-2), fallback to the master, GTID read-your-writes with a 50 ms wait. */
    FakeCluster() {
        this(2, ReadFallback.MASTER, Duration.ofMillis(50));
    }

    FakeCluster(int replicaCount, ReadFallback fallback, Duration maxWait) {
        master = new FakeServer("master", 1, journal, ids);
        masterNode = master.node(NodeRole.MASTER, "oslo", ticker);
        for (int i = 1; i <= replicaCount; i++) {
            FakeServer r = new FakeServer("oslo-" + i, 1 + i, journal, ids);
            replicas.add(r);
            replicaNodes.add(r.node(NodeRole.REPLICA, "oslo", ticker));
        }
        cluster = new Cluster("test", masterNode, replicaNodes, IN_ORDER, "oslo", fallback, new StatementClassifier(1000),
                Consistency.READ_YOUR_WRITES, ReadYourWritesMode.GTID, maxWait, Duration.ofMillis(100), 2.0, ticker);
    }

    FakeServer replica(int i) {
        return replicas.get(i - 1);
    }

    Node replicaNode(int i) {
        return replicaNodes.get(i - 1);
    }

    /** A new routing connection, closed with the cluster. */
    RoutingConnection connect() {
        RoutingConnection c = new RoutingConnection(cluster);
        synchronized (connections) {
            connections.add(c);
        }
        return c;
    }

    /** The current thread's session. */
    ConsistencySession session() {
        return cluster.sessions.current();
    }

    /** Every statement sent to any server, in order, as {@code server: sql}. */
    List<String> ran() {
        synchronized (journal) {
            return journal.stream().map(e -> e.server() + ": " + e.sql()).toList();
        }
    }

    /** Runs a query on {@code c} with a plain statement: its first column, as a string. */
    static String query(java.sql.Connection c, String sql) throws SQLException {
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Runs a statement that returns no rows on {@code c} with a plain statement. */
    static int update(java.sql.Connection c, String sql) throws SQLException {
        try (java.sql.Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    long routed(RouteReason reason) {
        return cluster.stats().routed(reason);
    }

    /**
     * Closes the test's connections, checks that every server connection went back to its pool (a
     * leaked one counts in flight for ever: the node would end up unusable), and closes the pools.
     *
     * @throws IllegalStateException if a node still counts a connection in flight
     */
    @Override
    public void close() throws SQLException {
        List<String> held = new ArrayList<>();
        try {
            synchronized (connections) {
                for (RoutingConnection c : connections) {
                    c.close();
                }
            }
            for (Node n : nodes()) {
                int active = n.pool.getHikariPoolMXBean().getActiveConnections();
                if (n.inFlight() != 0 || active != 0) {
                    held.add(n.label() + ": inFlight=" + n.inFlight() + ", active=" + active);
                }
            }
        } finally {
            for (Node n : nodes()) {
                n.close();
            }
        }
        if (!held.isEmpty()) {
            throw new IllegalStateException("server connections not given back: " + held);
        }
    }

    private List<Node> nodes() {
        List<Node> all = new ArrayList<>(replicaNodes);
        all.add(0, masterNode);
        return all;
    }
}
