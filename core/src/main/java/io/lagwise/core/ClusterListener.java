package io.lagwise.core;

/**
 * Told when a node's health changes (up, down, lagging, caught up, replication stopped). Called on
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
}
