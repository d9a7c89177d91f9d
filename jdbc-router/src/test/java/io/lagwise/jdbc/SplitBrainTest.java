package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The split brain nothing settles: a master and one replica; the replica is promoted, and the old
 * master comes back writable, replicating from nothing. No configured replica follows either, so
 * Lagwise refuses every write, naming both servers, and never writes to either until the operators
 * resolve it (here: the old master made read-only).
 */
@WithReplicationTopology(replicas = @Replica(region = "oslo"))
class SplitBrainTest {

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void twoWritableServers_noFollowerToSettleIt_writesRefusedNamingBoth_untilResolved(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS brains (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40), written_on INT)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            TopologyNode oldMaster = topology.master();
            TopologyNode oslo = topology.node("oslo");
            oldMaster.kill();
            topology.promote(oslo);
            assertThat(FollowPromotionTest.writeUntilAccepted(ds, "promoted", Duration.ofSeconds(5), "brains"))
                    .isEqualTo(oslo.serverId());
            oldMaster.restart(); // writable, replicating from nothing
            String oldAt = oldMaster.gtidPosition();
            String newAt = oslo.gtidPosition();
            // within a probe or two of its return, writes are refused; none reaches either server
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            SQLException refused = null;
            while (refused == null && System.nanoTime() - deadline < 0) {
                try {
                    FollowPromotionTest.write(ds, "racing", "brains");
                    Thread.sleep(10);
                } catch (SQLException e) {
                    refused = e;
                }
            }
            assertThat((Throwable) refused).as("writes refused once both answer").isNotNull();
            assertThat(refused.getMessage()).contains("write refused: split brain: ")
                    .contains("127.0.0.1:" + oldMaster.port()).contains("127.0.0.1:" + oslo.port())
                    .doesNotContain(topology.password());
            assertThat(ds.cluster().writesRefused()).isPresent();
            newAt = oslo.gtidPosition(); // racing writes before the old master answered went to the promoted one
            for (int i = 0; i < 20; i++) {
                long begin = System.nanoTime();
                try {
                    FollowPromotionTest.write(ds, "refused-" + i, "brains");
                    throw new AssertionError("write " + i + " was accepted during a split brain");
                } catch (SQLException e) {
                    assertThat(e.getMessage()).contains("split brain");
                }
                assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("refused at once").isLessThan(Duration.ofMillis(50));
                Thread.sleep(25);
            }
            assertThat(oldMaster.gtidPosition()).as("nothing written on the old master").isEqualTo(oldAt);
            assertThat(oslo.gtidPosition()).as("nor on the promoted one").isEqualTo(newAt);
            // the operators resolve it: the old master is made read-only; writes resume on the promoted one
            try (Connection admin = oldMaster.connectAdmin(); Statement s = admin.createStatement()) {
                s.execute("SET GLOBAL read_only = ON");
            }
            assertThat(FollowPromotionTest.writeUntilAccepted(ds, "resolved", Duration.ofSeconds(3), "brains"))
                    .isEqualTo(oslo.serverId());
            assertThat(ds.cluster().writesRefused()).isEmpty();
        }
    }
}
