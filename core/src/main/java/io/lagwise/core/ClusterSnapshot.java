package io.lagwise.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of every node at one moment, for dashboards, health checks and tests. Immutable.
 *
 * @param name the data source's name
 * @param takenAt when the snapshot was taken (wall clock, for display)
 * @param nodes the master first (the one writes go to now: a followed promotion changes it), then
 *     the replicas in configuration order
 * @param writesRefused why writes are refused, when they are: two servers qualify as master (split
 *     brain), or the master is read-only; empty otherwise (a master that is down is shown by its health)
 * @param masterChanges how many promotions were followed since start
 */
public record ClusterSnapshot(String name, Instant takenAt, List<NodeSnapshot> nodes, Optional<String> writesRefused,
        long masterChanges) {

    /** Copies the node list so the snapshot cannot change. */
    public ClusterSnapshot {
        nodes = List.copyOf(nodes);
        Objects.requireNonNull(writesRefused, "writesRefused");
    }

    /** A snapshot of a cluster that takes writes and never changed its master. */
    public ClusterSnapshot(String name, Instant takenAt, List<NodeSnapshot> nodes) {
        this(name, takenAt, nodes, Optional.empty(), 0);
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
