package io.lagwise.core;

/** What the monitor last found a node to be. Only {@link #UP} replicas take reads. */
public enum Health {
    /** Answering, and for a replica: replicating, and under the maximum lag. */
    UP,
    /** Answering, replicating, but further behind the master than the maximum lag allows. */
    LAGGING,
    /** Answering, but its replication is stopped or broken (an IO or SQL thread not running). */
    REPLICATION_STOPPED,
    /** Not answering: refused, timed out, or failing. */
    DOWN
}
