package io.lagwise.jdbc;

import io.lagwise.core.NodeRole;

/**
 * Why a statement ran where it ran: each execution a {@link LagwiseDataSource} routes is counted
 * under one reason (see {@link RoutingStats}); a read retried on another server after a connection
 * failure counts once per attempt. Writes are the statements that may change data or session state
 * ({@code INSERT}, {@code UPDATE}, {@code SET}, temporary tables, ...); everything else, including a
 * statement with a {@code lagwise:master} hint, {@code SHOW WARNINGS} and a stored procedure call
 * that the application marked read-only, counts as a read.
 */
public enum RouteReason {
    /** A read on a replica that had the session's writes (or needed none). */
    REPLICA(true, NodeRole.REPLICA),
    /** A read on a replica after waiting (bounded) for it to apply the session's writes. */
    REPLICA_AFTER_WAIT(true, NodeRole.REPLICA),
    /** A read on the master because it asked for {@code STRONG} consistency. */
    STRONG(true, NodeRole.MASTER),
    /**
     * A read on the master for read-your-writes: no replica had the session's writes in time, or
     * the session is inside its pin window after a write.
     */
    READ_YOUR_WRITES(true, NodeRole.MASTER),
    /**
     * A read-your-writes read on the master because reading there costs less than waiting for a
     * replica to show the session's writes: the master's round trip from here beside the replica's
     * expected catch-up, within the master budget ({@code readYourWritesMasterBudget}).
     */
    MASTER_CHEAPER(true, NodeRole.MASTER),
    /** A read on the master because no replica was eligible (down, lagging, stopped or saturated). */
    NO_REPLICA(true, NodeRole.MASTER),
    /**
     * A read on the master because the connection or statement asked for it: a read-write
     * transaction, {@code useMaster()}, a {@code lagwise:master} hint, session state, a locking
     * read, or a diagnostic such as {@code SHOW WARNINGS} following a statement on the master.
     */
    MASTER_REQUIRED(true, NodeRole.MASTER),
    /** A statement that may write: always the master. */
    WRITE(false, NodeRole.MASTER);

    private final boolean read;
    private final NodeRole target;

    RouteReason(boolean read, NodeRole target) {
        this.read = read;
        this.target = target;
    }

    /** Whether statements counted under this reason are reads. */
    public boolean isRead() {
        return read;
    }

    /** Where statements counted under this reason ran. */
    public NodeRole target() {
        return target;
    }
}
