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
        this.node = node;
        this.conn = conn;
    }

    boolean onReplica() {
        return node.role == NodeRole.REPLICA;
    }

    NodeRole role() {
        return node.role;
    }

    @Override
    public String toString() {
        return node.label();
    }
}
