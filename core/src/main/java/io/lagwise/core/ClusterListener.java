package io.lagwise.core;

/**
 * Told when a node's health changes (up, down, lagging, caught up, replication stopped), when a
 * promotion is followed, and when writes start or stop being refused. Called on
 * a monitor thread: return quickly and do not block. An SPI with a default method, so listeners
 * implement only what they need.
 */
@FunctionalInterface
public interface ClusterListener {

    /**
     * A node's health changed.
     *
     * @param node the node as it is now
     * @param previous its health before
     */
    void healthChanged(NodeSnapshot node, Health previous);

    /**
     * A promotion was followed: writes go to {@code master} now (see {@link MasterElection}).
     *
     * @param master the new master, as it is now
     * @param previous the node that was the master, as it is now (a replica, and often down)
     */
    default void masterChanged(NodeSnapshot master, NodeSnapshot previous) {}

    /**
     * Writes started being refused (two nodes qualify as master, or the master is read-only), or
     * are accepted again.
     *
     * @param reason why writes are refused now; empty when they are accepted again
     */
    default void writesRefused(java.util.Optional<String> reason) {}
}
