package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.MasterElection;
import io.lagwise.core.MasterElection.Evidence;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What each server says about its role, read the way the monitor will read it (issue 16: roles come
 * from the servers), on real servers through both drivers: the master is writable and replicates
 * from nothing, a replica is read-only and names the master's server id; a replica made writable
 * still names its source, and the election keeps the master.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class RoleEvidenceTest {

    static Evidence role(TopologyNode node, JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (Connection c = DriverManager.getConnection(node.jdbcUrl(driver), topology.username(), topology.password())) {
            return ServerDialect.of(c.getMetaData().getDatabaseProductVersion()).role(c);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void theMasterIsWritable_andEachReplicaNamesItsSource(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        long master = topology.master().serverId();
        assertThat(role(topology.master(), driver, topology)).isEqualTo(new Evidence(true, true, master, 0));
        List<Evidence> all = new ArrayList<>();
        all.add(role(topology.master(), driver, topology));
        for (TopologyNode r : topology.replicas()) {
            Evidence e = role(r, driver, topology);
            assertThat(e).as(r.name()).isEqualTo(new Evidence(true, false, r.serverId(), master));
            all.add(e);
        }
        assertThat(MasterElection.decide(0, all).verdict()).isEqualTo(MasterElection.Verdict.KEEP);
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aReplicaMadeWritable_stillNamesItsSource_andIsNoMaster(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        TopologyNode oslo = topology.node("oslo");
        try (Connection admin = oslo.connectAdmin(); Statement s = admin.createStatement()) {
            s.execute("SET GLOBAL read_only = OFF");
            try {
                Evidence e = role(oslo, driver, topology);
                assertThat(e.writable()).isTrue();
                assertThat(e.sourceServerId()).isEqualTo(topology.master().serverId());
                List<Evidence> all = List.of(role(topology.master(), driver, topology), e,
                        role(topology.node("frankfurt"), driver, topology));
                MasterElection.Outcome o = MasterElection.decide(0, all);
                assertThat(o.verdict()).isEqualTo(MasterElection.Verdict.KEEP);
                assertThat(o.qualified()).containsExactly(0);
            } finally {
                s.execute("SET GLOBAL read_only = ON");
            }
        }
        assertThat(role(oslo, driver, topology).writable()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aMasterMadeReadOnly_saysSo_andTheElectionFindsNoMaster(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (Connection admin = topology.master().connectAdmin(); Statement s = admin.createStatement()) {
            s.execute("SET GLOBAL read_only = ON");
            try {
                List<Evidence> all = new ArrayList<>();
                all.add(role(topology.master(), driver, topology));
                for (TopologyNode r : topology.replicas()) {
                    all.add(role(r, driver, topology));
                }
                assertThat(all.get(0).writable()).isFalse();
                assertThat(MasterElection.decide(0, all).verdict()).isEqualTo(MasterElection.Verdict.NONE);
            } finally {
                s.execute("SET GLOBAL read_only = OFF");
            }
        }
        assertThat(role(topology.master(), driver, topology).writable()).isTrue();
    }
}
