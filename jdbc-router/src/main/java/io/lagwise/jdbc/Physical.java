package io.lagwise.jdbc;

import io.lagwise.core.NodeRole;
import java.sql.Connection;

/**
 * A server connection a {@link RoutingConnection} borrowed from a node's pool, and the session
 * settings applied to it so far ({@link SessionSettings#applyTo} applies only what differs).
 */
final class Physical {

    final Node node;
    final Connection conn;
    /** The role it was borrowed for: a node's role may change while it is held (a promotion followed). */
    private final NodeRole role;
    /** Its lease from the node (null for connections not borrowed through one, in tests). */
    final Node.Lease lease;
    /** The cluster's master epoch when it was borrowed ({@link Cluster#masterEpoch}); -1 if unknown. */
    long epoch = -1;
    boolean autoCommit = true;
    boolean readOnly;
    int isolation = -1;
    String catalog;
    String schema;
    /** The connection's own catalog and schema before the first change here: what goes back to the pool. */
    String catalogBefore;
    String schemaBefore;
    int holdability = -1;
    int networkTimeout = -1;
    boolean clientInfoApplied;
    /** The GTID reports of this master connection's driver connection (MySQL Connector/J), once tracking is on. */
    TrackedGtids.Tracker tracker;
    boolean typeMapApplied;

    Physical(Node node, Connection conn) {
        this(node, conn, node.role);
    }

    Physical(Node node, Connection conn, NodeRole role) {
        this.node = node;
        this.conn = conn;
        this.role = role;
        this.lease = node.lease(conn);
    }

    boolean onReplica() {
        return role == NodeRole.REPLICA;
    }

    NodeRole role() {
        return role;
    }

    /** A master connection to a node that is no longer the master (a promotion was followed). */
    boolean deposed(Cluster cluster) {
        return role == NodeRole.MASTER && (node != cluster.master || (epoch >= 0 && epoch != cluster.masterEpoch));
    }

    @Override
    public String toString() {
        return node.label();
    }
}
