package io.lagwise.testkit;

import io.lagwise.testkit.WithReplicationTopology.Replica;

/** {@link ContainerTopologyTest}'s tests on MySQL 8.4 containers: GTID auto-positioning, MySQL's SQL. */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_CONTAINERS, replicationDelayMillis = 40, shared = false,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 0)})
class MySqlContainerTopologyTest extends ContainerTopologyTest {

    @Override
    String expectedServer() {
        return "MySQL 8.4";
    }
}
