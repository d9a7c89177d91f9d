package io.lagwise.jdbc;

/** What a read does when no replica can take it. */
public enum ReadFallback {
    /** Read from the master (the default): slower, never stale, never fails for want of a replica. */
    MASTER,
    /** Fail the read with an {@link java.sql.SQLException} that says why no replica could take it. */
    FAIL
}
