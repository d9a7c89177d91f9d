package io.lagwise.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The session settings an application made on a {@link RoutingConnection} — isolation, catalog,
 * schema, holdability, network timeout, client info, type map — kept as plain fields and applied to
 * whichever server connection is about to be used, only where they differ (MariaDB Connector/J's
 * good idea: replay session state when switching hosts). HikariCP resets most of them when a
 * connection goes back to its pool; {@link #clean} undoes the two it does not.
 */
final class SessionSettings {

    int isolation = -1;
    String catalog;
    String schema;
    int holdability = -1;
    int networkTimeout = -1;
    Executor networkExecutor;
    Properties clientInfo;
    Map<String, Class<?>> typeMap;

    /**
     * Applies these settings, auto-commit and read-only to {@code p}. Replicas outside a read-only
     * transaction always run in auto-commit, and read-only is applied to the master only: replica
     * pools hand out read-only sessions.
     */
    void applyTo(Physical p, boolean autoCommit, boolean readOnly) throws SQLException {
        Connection c = p.conn;
        if (p.autoCommit != autoCommit) {
            c.setAutoCommit(autoCommit);
            p.autoCommit = autoCommit;
        }
        if (!p.onReplica() && p.readOnly != readOnly) {
            c.setReadOnly(readOnly);
            p.readOnly = readOnly;
        }
        if (isolation != -1 && p.isolation != isolation) {
            c.setTransactionIsolation(isolation);
            p.isolation = isolation;
        }
        if (catalog != null && !catalog.equals(p.catalog)) {
            c.setCatalog(catalog);
            p.catalog = catalog;
        }
        if (schema != null && !schema.equals(p.schema)) {
            c.setSchema(schema);
            p.schema = schema;
        }
        if (holdability != -1 && p.holdability != holdability) {
            c.setHoldability(holdability);
            p.holdability = holdability;
        }
        if (networkTimeout != -1 && p.networkTimeout != networkTimeout) {
            c.setNetworkTimeout(networkExecutor, networkTimeout);
            p.networkTimeout = networkTimeout;
        }
        if (clientInfo != null && !p.clientInfoApplied) {
            c.setClientInfo(clientInfo);
            p.clientInfoApplied = true;
        }
        if (typeMap != null && !p.typeMapApplied) {
            c.setTypeMap(typeMap);
            p.typeMapApplied = true;
        }
    }

    /**
     * Undoes what the pool would not (client info, the type map), so that the next borrower does not
     * inherit them.
     *
     * @throws SQLException if the connection refuses: the caller evicts it
     */
    void clean(Physical p) throws SQLException {
        if (p.clientInfoApplied) {
            // Blank, not removed: MariaDB Connector/J cannot remove a client info property.
            for (String name : clientInfo.stringPropertyNames()) {
                p.conn.setClientInfo(name, "");
            }
        }
        if (typeMap != null) {
            p.conn.setTypeMap(new HashMap<>());
        }
    }
}
