package io.lagwise.jdbc;

import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;

/** {@link FollowPromotionTest}, every test of it, on MySQL 8.0 servers (local processes): both drivers. */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, replicationDelayMillis = 40,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class MysqlFollowPromotionTest extends FollowPromotionTest {
}
