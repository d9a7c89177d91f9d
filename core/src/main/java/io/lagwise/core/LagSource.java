package io.lagwise.core;

/**
 * How a replica's lag was measured.
 *
 * <p>Every lag figure is kept with its source and the time it was measured, because the sources
 * differ in resolution and in what they cost the servers. The default is {@link #GTID_TIMELINE}: it
 * writes nothing, needs no table and no extra privilege, and so scales to many application
 * instances.
 */
public enum LagSource {

    /**
     * {@code Seconds_Behind_Master} from {@code SHOW REPLICA STATUS} / {@code SHOW SLAVE STATUS}.
     *
     * <p>Whole seconds only, and {@code NULL} when replication is broken: reported, and used to
     * detect broken replication rather than to route by.
     */
    SECONDS_BEHIND_MASTER,

    /**
     * A heartbeat row the monitor writes on the master (id, sequence, time) and reads back on each
     * replica.
     *
     * <p>Lag is now minus the time the monitor wrote the newest sequence the replica shows. Both
     * times come from the application's own clock, so server clock skew does not matter.
     * Millisecond resolution; optional, because it needs a writable heartbeat table and adds writes
     * to the master that every replica must apply.
     */
    HEARTBEAT,

    /**
     * The replica's applied GTID position ({@code @@gtid_slave_pos} on MariaDB,
     * {@code @@gtid_executed} on MySQL) compared with the master's.
     *
     * <p>Says whether a replica has caught up, and by how many transactions it trails, but not how
     * long ago the missing transactions were committed.
     */
    GTID_POSITION,

    /**
     * The age of the replica's oldest unapplied transaction, from a short history of (time first
     * seen, master GTID sequence) pairs.
     *
     * <p>The monitor records the pairs from its master probes and the router adds the exact commit
     * time and GTID of every write it captures for read-your-writes. Lag is now minus the time the
     * master first had a sequence above the replica's, and zero when the replica has applied
     * everything, whatever the clocks say. Write-free, no table, no extra privilege; resolution is
     * the master probe interval, or exact for the application's own writes.
     */
    GTID_TIMELINE
}
