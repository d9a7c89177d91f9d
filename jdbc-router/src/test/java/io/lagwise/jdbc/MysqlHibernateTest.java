package io.lagwise.jdbc;

import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;

/**
 * {@link HibernateTest}, every test of it, on MySQL 8.0.31 servers (local processes, no Docker): the same
 * topology shape and both drivers. The server kind is the only parameter.
 */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class MysqlHibernateTest extends HibernateTest {
}
