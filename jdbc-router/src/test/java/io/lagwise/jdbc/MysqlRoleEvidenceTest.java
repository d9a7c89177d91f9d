package io.lagwise.jdbc;

import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;

/** {@link RoleEvidenceTest} on MySQL 8.0.31 servers ({@code read_only OR super_read_only}, {@code Source_Server_Id}). */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class MysqlRoleEvidenceTest extends RoleEvidenceTest {
}
