package io.lagwise.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The session settings an application made on a {@link RoutingConnection} — isolation, catalog,
 * schema, holdability, network timeout, client info, type map — kept as plain fields and applied to
 * whichever server connection is about to be used, only where they differ (MariaDB Connector/J's
 * good idea: replay session state when switching hosts). HikariCP resets most of them when a
 * connection goes back to its pool; {@link #clean} undoes what it does not: client info, the type
 * map, and the catalog and schema (HikariCP resets those only to a catalog or schema of its own
 * configuration, and our pools have none).
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

    /** Applies these settings to {@code p} where they differ from what it has. */
    void applyTo(Physical p) throws SQLException {
        Connection c = p.conn;
        if (isolation != -1 && p.isolation != isolation) {
            c.setTransactionIsolation(isolation);
            p.isolation = isolation;
        }
        if (catalog != null && !catalog.equals(p.catalog)) {
            if (p.catalog == null) {
                p.catalogBefore = c.getCatalog(); // what clean() puts back
            }
            c.setCatalog(catalog);
            p.catalog = catalog;
        }
        if (schema != null && !schema.equals(p.schema)) {
            if (p.schema == null) {
                p.schemaBefore = c.getSchema();
            }
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
     * Undoes what the pool would not (client info, the type map, the catalog and schema), so that the
     * next borrower does not inherit them.
     *
     * @throws SQLException if the connection refuses, or had no catalog or schema to go back to: the
     *     caller evicts it
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
        // Asked of the driver: one that ignores the setting (MySQL Connector/J's setSchema, by default)
        // has nothing to undo.
        if (p.catalog != null && !Objects.equals(p.conn.getCatalog(), p.catalogBefore)) {
            if (p.catalogBefore == null) {
                throw new SQLException("no catalog to go back to", "HY000");
            }
            p.conn.setCatalog(p.catalogBefore);
        }
        if (p.schema != null && !Objects.equals(p.conn.getSchema(), p.schemaBefore)) {
            if (p.schemaBefore == null) {
                throw new SQLException("no schema to go back to", "HY000");
            }
            p.conn.setSchema(p.schemaBefore);
        }
    }
}
