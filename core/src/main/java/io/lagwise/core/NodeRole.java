package io.lagwise.core;

/**
 * What a node does in the replication topology.
 *
 * <p>The role is configured, not discovered: Lagwise routes by it and never promotes a replica.
 */
public enum NodeRole {

    /** The server that takes every write, and reads only when no replica is eligible. */
    MASTER,

    /** A server that applies the master's changes and serves reads while it is fresh enough. */
    REPLICA
}
