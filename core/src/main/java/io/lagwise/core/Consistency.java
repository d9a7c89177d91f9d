package io.lagwise.core;

/** How fresh a read must be. A data source has a default; a read may ask for another. */
public enum Consistency {
    /** Any replica under the maximum lag: may miss the session's own latest writes. */
    EVENTUAL,
    /**
     * Never older than the session's own writes (and what it read before): a replica known to have
     * applied the session's token, one that catches up within a short wait, or the master. The default.
     */
    READ_YOUR_WRITES,
    /** The master: everything committed anywhere before the read. */
    STRONG
}
