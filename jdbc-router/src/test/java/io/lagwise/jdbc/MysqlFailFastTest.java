package io.lagwise.jdbc;

import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;

/** {@link FailFastTest} on MySQL 8.0 servers: a frozen replica and a killed master, both drivers. */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class MysqlFailFastTest extends FailFastTest {
}
