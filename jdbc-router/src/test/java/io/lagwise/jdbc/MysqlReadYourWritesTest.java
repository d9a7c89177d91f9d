package io.lagwise.jdbc;

import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;

/**
 * {@link ReadYourWritesTest}, every test of it, on MySQL 8.0.31 servers (local processes, no Docker):
 * the same topology shape, the same 40 ms of replication delay, both drivers. The core test — 8
 * sessions × 250 write-then-read rounds — must show no anomaly here too, with the replica share
 * printed.
 */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class MysqlReadYourWritesTest extends ReadYourWritesTest {

    /** The master's first transaction, as a MySQL GTID set ({@code server_uuid:1}). */
    @Override
    String oldPosition(io.lagwise.testkit.ReplicationTopology topology) {
        String executed = topology.master().gtidPosition();
        return executed.substring(0, executed.indexOf(':')) + ":1";
    }
}
