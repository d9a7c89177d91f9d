package io.lagwise.jdbc;

/** How a {@code READ_YOUR_WRITES} read is kept from reading behind its session's writes. */
public enum ReadYourWritesMode {
    /**
     * Reads go to a replica known to have applied the session's token (its GTID), or one that
     * catches up within a short bounded wait ({@code MASTER_GTID_WAIT}); else the master. The default.
     */
    GTID,
    /**
     * After a write, the session's reads go to the master for a window (the pin window); works on
     * servers without GTIDs.
     */
    PIN
}
