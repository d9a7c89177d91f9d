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

    @Override
    public void reset() {
        Topologies.reset(master, replicas);
    }
}
