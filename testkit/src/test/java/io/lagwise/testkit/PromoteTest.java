package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ReplicationTopology#promote}: a failover as Orchestrator makes it, on MariaDB and MySQL
 * processes. The promoted replica takes the application's writes, the other replica follows it
 * (with its replication delay kept), the old master is left alone and comes back writable from its
 * own configuration, and the topology cannot be reset.
 */
class PromoteTest {

    @ParameterizedTest
    @EnumSource(value = TopologyBackend.class, names = {"LOCAL_PROCESSES", "MYSQL_PROCESSES"})
    void promote_makesTheReplicaTheMaster_andRePointsTheOthers(TopologyBackend backend) throws Exception {
        try (ReplicationTopology topology = ReplicationTopology.builder().backend(backend)
                .replica("oslo").replica("frankfurt").replicationDelay(Duration.ofMillis(40)).start()) {
            TopologyNode oldMaster = topology.master();
            TopologyNode oslo = topology.node("oslo");
            TopologyNode frankfurt = topology.node("frankfurt");
            exec(oldMaster, "CREATE TABLE promoted (id INT PRIMARY KEY, v VARCHAR(20))");
            exec(oldMaster, "INSERT INTO promoted VALUES (1, 'before')");
            topology.awaitReplication(Duration.ofSeconds(10));
            oldMaster.kill();

            topology.promote(frankfurt);

            assertThat(topology.master()).isSameAs(frankfurt);
            assertThat(frankfurt.role()).isEqualTo(TopologyNode.Role.MASTER);
            assertThat(oldMaster.role()).isEqualTo(TopologyNode.Role.REPLICA);
            assertThat(topology.replicas()).containsExactly(oslo, oldMaster);
            assertThat(scalar(frankfurt, "SELECT @@read_only")).isEqualTo("0");
            exec(frankfurt, "INSERT INTO promoted VALUES (2, 'after')"); // the application user writes there
            long written = System.nanoTime();
            String seen = null;
            while (seen == null && System.nanoTime() - written < Duration.ofSeconds(10).toNanos()) {
                seen = scalar(oslo, "SELECT v FROM promoted WHERE id = 2");
            }
            assertThat(seen).as("oslo replicates from the promoted node").isEqualTo("after");
            assertThat(Duration.ofNanos(System.nanoTime() - written)).as("with its delay kept")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(40));
            assertThat(oslo.replicaStatus().replicating()).isTrue();
            topology.awaitReplication(Duration.ofSeconds(10)); // the killed old master is skipped

            oldMaster.restart(); // what its configuration says: writable, replicating from nothing
            assertThat(scalar(oldMaster, "SELECT @@read_only")).isEqualTo("0");
            assertThat(scalar(oldMaster, "SELECT COUNT(*) FROM promoted")).isEqualTo("1");
            assertThatThrownBy(topology::reset).isInstanceOf(TopologyException.class)
                    .hasMessageContaining("a failover cannot be undone");
            assertThatThrownBy(() -> topology.promote(frankfurt)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is the master already");
        }
    }

    static void exec(TopologyNode node, String sql) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String scalar(TopologyNode node, String sql) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
