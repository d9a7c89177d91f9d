package io.lagwise.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What every backend's topology does alike: its nodes, its credentials, waiting and resetting. */
abstract class AbstractTopology<N extends AbstractNode> implements ReplicationTopology {

    final TopologySpec spec;
    N master;
    final List<N> replicas = new ArrayList<>();
    final List<TopologyNode> nodes = new ArrayList<>();
    String serverDescription;
    Duration startupTime = Duration.ZERO;

    AbstractTopology(TopologySpec spec) {
        this.spec = spec;
    }

    @Override
    public TopologyNode master() {
        return master;
    }

    @Override
    public List<TopologyNode> replicas() {
        return List.copyOf(replicas);
    }

    @Override
    public List<TopologyNode> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public TopologyNode node(String name) {
        for (TopologyNode n : nodes) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.name()));
        throw new IllegalArgumentException("no node named '" + name + "'; the nodes are " + names);
    }

    @Override
    public String database() {
        return spec.database();
    }

    @Override
    public String username() {
        return spec.username();
    }

    @Override
    public String password() {
        return spec.password();
    }

    @Override
    public String serverDescription() {
        return serverDescription;
    }

    @Override
    public Duration startupTime() {
        return startupTime;
    }

    @Override
    public void awaitReplication(Duration timeout) {
        Topologies.awaitReplication(master, replicas, timeout);
    }

    /** Whether {@link #promote} changed the roles: then {@link #reset()} cannot put them back. */
    volatile boolean rolesChanged;

    @Override
    public synchronized void promote(TopologyNode node) {
        AbstractNode next = nodes.stream().filter(n -> n == node).map(n -> (AbstractNode) n).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(node + " is not a node of this topology; its nodes are " + nodes));
        if (next == master) {
            throw new IllegalArgumentException(next.name() + " is the master already");
        }
        if (next.state() != TopologyNode.State.RUNNING) {
            throw new IllegalStateException("cannot promote " + next.name() + ": it is " + next.state() + "; restart() or thaw() it first");
        }
        if (!next.gtids) {
            throw new UnsupportedOperationException("promote() needs GTIDs: the other replicas find their place on the new master by GTID");
        }
        N previous = master;
        @SuppressWarnings("unchecked")
        N promoted = (N) next;
        next.applyReceived(Duration.ofSeconds(10)); // what it fetched is not lost with its relay logs
        for (String sql : next.dialect.promote()) {
            next.execAdmin(sql);
        }
        for (N r : replicas) {
            if (r != promoted && r.state() == TopologyNode.State.RUNNING && r.replicationProxy != null) {
                repoint(r, promoted);
            }
        }
        replicas.remove(promoted);
        replicas.add(previous);
        previous.role = TopologyNode.Role.REPLICA;
        promoted.role = TopologyNode.Role.MASTER;
        master = promoted;
        previous.changed = true;
        promoted.changed = true;
        rolesChanged = true;
    }

    /** Points {@code replica}'s replication (through its delay proxy) at {@code source} and restarts it by GTID. */
    void repoint(N replica, N source) {
        replica.replicationProxy.target(new java.net.InetSocketAddress(source.directHost(), source.directPort()));
        for (String sql : replica.dialect.repoint()) {
            replica.execAdmin(sql);
        }
    }

    @Override
    public void reset() {
        if (rolesChanged) {
            throw new TopologyException("promote() changed the roles of " + this + "; a failover cannot be undone:"
                    + " give failover tests a topology of their own (the JUnit extension starts a new one for the next test by itself)");
        }
        Topologies.reset(master, replicas);
    }
}
