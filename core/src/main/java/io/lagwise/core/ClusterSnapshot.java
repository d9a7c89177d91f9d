package io.lagwise.core;

import java.time.Instant;
import java.util.List;

/**
 * The state of every node at one moment, for dashboards, health checks and tests. Immutable.
 *
 * @param name the data source's name
 * @param takenAt when the snapshot was taken (wall clock, for display)
 * @param nodes the master first, then the replicas in configuration order
 */
public record ClusterSnapshot(String name, Instant takenAt, List<NodeSnapshot> nodes) {

    /** Copies the node list so the snapshot cannot change. */
    public ClusterSnapshot {
        nodes = List.copyOf(nodes);
    }

    /** The master's snapshot. */
    public NodeSnapshot master() {
        return nodes.get(0);
    }

    /** The replicas' snapshots. */
    public List<NodeSnapshot> replicas() {
        return nodes.subList(1, nodes.size());
    }

    /**
     * The node with this name.
     *
     * @throws IllegalArgumentException if there is none
     */
    public NodeSnapshot node(String nodeName) {
        for (NodeSnapshot n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no node named '" + nodeName + "' in " + name);
    }
}
