package io.lagwise.jdbc;

import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;

/** {@link SplitBrainTest} on MySQL 8.0 servers ({@code read_only} and {@code super_read_only}): both drivers. */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, replicas = @Replica(region = "oslo"))
class MysqlSplitBrainTest extends SplitBrainTest {
}
