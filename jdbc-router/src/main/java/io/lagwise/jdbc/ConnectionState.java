package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.NodeRole;

/**
 * What the {@link Router} needs to know of one connection's session: plain fields, written only by
 * the {@link RoutingConnection} that owns them (connections are used by one thread at a time), read
 * by the router as its input. Tests build one by hand.
 */
final class ConnectionState {

    /** {@link java.sql.Connection#setAutoCommit}, as the application set it. */
    boolean autoCommit = true;
    /** {@link java.sql.Connection#setReadOnly}, as the application set it. */
    boolean readOnly;
    /** Session state was made on the master: every statement goes there, for the connection's life. */
    boolean forcedMaster;
    /**
     * {@code useMaster()}: every statement goes to the master, and counts as a possible write for
     * read-your-writes, as with a {@code lagwise:master} hint on each.
     */
    boolean useMaster;
    /** The connection's own consistency ({@code setConsistency}); null for the thread's or the default. */
    Consistency consistency;
    /** Where the running transaction runs: null when none has started. */
    NodeRole transaction;
    /** Statements the running transaction has executed (prepared ones do not count). */
    int transactionStatements;
    /** Why the running transaction's first statement went where it did. */
    RouteReason transactionReason = RouteReason.MASTER_REQUIRED;
    /** Where the last statement ran: null before the first. */
    NodeRole lastUsed;

    void beginTransaction(NodeRole on, RouteReason reason, boolean executing) {
        transaction = on;
        transactionReason = reason;
        transactionStatements = executing ? 1 : 0;
    }

    void endTransaction() {
        transaction = null;
        transactionStatements = 0;
    }
}
