package io.lagwise.testkit;

import static io.lagwise.testkit.LocalTopologyTest.awaitVisible;
import static io.lagwise.testkit.LocalTopologyTest.insert;
import static io.lagwise.testkit.LocalTopologyTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Every {@link MySqlLocalTopologyTest} test again, on MySQL servers without GTIDs
 * ({@code gtids = false}): {@code --gtid-mode=OFF}, replicas that follow the master by binary log
 * file and position, as MySQL 5.6-style servers do. The same topology shape (master + "oslo" +
 * "frankfurt", 40 ms replication delay); below, what only this mode must prove: no GTID anywhere,
 * {@code awaitReplication} on binary log positions, a killed replica resuming from the position it
 * kept, and MariaDB refusing the setting.
 */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, gtids = false, replicationDelayMillis = 40,
        shared = false, replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class MySqlNoGtidTopologyTest extends MySqlLocalTopologyTest {

    @Test
    void servers_runWithoutGtids_andReplicasFollowAFileAndPosition(ReplicationTopology topology) throws SQLException {
        insert(topology, "no-gtid-here");
        topology.awaitReplication(Duration.ofSeconds(5));
        for (TopologyNode node : topology.nodes()) {
            try (Connection c = node.connectAdmin(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@gtid_mode, @@enforce_gtid_consistency, @@gtid_executed")) {
                rs.next();
                assertThat(rs.getString(1)).as(node.name() + " @@gtid_mode").isEqualTo("OFF");
                assertThat(rs.getString(2)).as(node.name() + " @@enforce_gtid_consistency").isEqualTo("OFF");
                assertThat(rs.getString(3)).as(node.name() + " @@gtid_executed after replicated writes").isEmpty();
            }
            assertThat(node.gtidPosition()).as(node.name() + " gtidPosition()").isEmpty();
        }
        for (TopologyNode replica : topology.replicas()) {
            try (Connection c = replica.connectAdmin(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW REPLICA STATUS")) {
                rs.next();
                assertThat(rs.getInt("Auto_Position")).as(replica.name() + " Auto_Position").isZero();
                assertThat(rs.getString("Source_Log_File")).as(replica.name()).startsWith("binlog.");
                assertThat(rs.getString("Retrieved_Gtid_Set")).as(replica.name()).isEmpty();
            }
        }
    }

    @Test
    void awaitReplication_returnsOnceEveryReplicaHasTheWrite_atTheMastersBinlogPosition(ReplicationTopology topology)
            throws SQLException {
        long id = insert(topology, "awaited");
        long begin = System.nanoTime();
        topology.awaitReplication(Duration.ofSeconds(5));
        long waitedMillis = (System.nanoTime() - begin) / 1_000_000;
        assertThat(waitedMillis).as("awaitReplication waited out the 40 ms delay").isGreaterThanOrEqualTo(30);
        String masterEnd = masterBinlogEnd(topology);
        for (TopologyNode replica : topology.replicas()) {
            try (Connection c = replica.connectDirect()) {
                assertThat(read(c, id)).as(replica.name() + " right after awaitReplication").isEqualTo("awaited");
            }
            assertThat(executed(replica)).as(replica.name() + " applied up to the master's binlog end").isEqualTo(masterEnd);
        }
    }

    @Test
    void awaitReplication_timesOut_sayingWhichReplicaAndBothPositions(ReplicationTopology topology) throws SQLException {
        topology.node("oslo").replicationDelay(Duration.ofSeconds(2));
        insert(topology, "two-seconds-away");
        long begin = System.nanoTime();
        assertThatThrownBy(() -> topology.awaitReplication(Duration.ofMillis(300)))
                .isInstanceOf(TopologyException.class)
                .hasMessageMatching("(?s)oslo has not applied the master's position binlog\\.\\d+:\\d+ within 300 ms;"
                        + " it is at binlog\\.\\d+:\\d+, .*");
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("a fractional timeout is kept, not rounded to 'forever'")
                .isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void stoppedSqlThread_holdsTheWriteBack_andAwaitReplicationWaitsForItAfterTheStart(ReplicationTopology topology)
            throws Exception {
        TopologyNode oslo = topology.node("oslo");
        oslo.stopSqlThread();
        long id = insert(topology, "applied-after-start");
        Thread.sleep(200);
        try (Connection c = oslo.connectDirect()) {
            assertThat(read(c, id)).as("received, not applied").isNull();
            oslo.startSqlThread();
            topology.awaitReplication(Duration.ofSeconds(5));
            assertThat(read(c, id)).isEqualTo("applied-after-start");
        }
    }

    @Test
    void killedReplica_restartsFromThePositionItKept_andCatchesUpExactly(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        long before = count(topology.master());
        oslo.kill();
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = insert(topology, "while-dead-" + i);
        }
        oslo.restart();
        topology.awaitReplication(Duration.ofSeconds(15));
        assertThat(count(oslo)).as("every row once: none lost, none applied twice").isEqualTo(before + 20)
                .isEqualTo(count(topology.master()));
        try (Connection c = oslo.connectDirect()) {
            assertThat(read(c, last)).isEqualTo("while-dead-19");
        }
        ReplicaStatus status = oslo.replicaStatus();
        assertThat(status.replicating()).isTrue();
        assertThat(status.lastSqlError()).isEmpty();
        assertThat(executed(oslo)).isEqualTo(masterBinlogEnd(topology));

        long after = insert(topology, "after-restart");
        try (Connection c = oslo.connectDirect()) {
            awaitVisible(c, after, Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TopologyBackend.class, names = {"LOCAL_PROCESSES", "MARIADB_CONTAINERS"})
    void mariadbBackend_withoutGtids_failsBeforeAnythingStarts(TopologyBackend backend) {
        assertThatThrownBy(() -> ReplicationTopology.builder().backend(backend).gtids(false).replica("oslo").start())
                .isInstanceOf(TopologyException.class)
                .hasMessage("gtids(false) cannot be combined with " + backend + ": MariaDB always writes GTIDs;"
                        + " the setting is for MySQL servers (MYSQL_PROCESSES), or leave gtids at true");
    }

    @Test
    void mysqlContainers_withoutGtids_pointToTheLocalProcesses() {
        assertThatThrownBy(() -> ReplicationTopology.builder().backend(TopologyBackend.MYSQL_CONTAINERS).gtids(false).start())
                .isInstanceOf(TopologyException.class)
                .hasMessage("gtids(false) is not available on MYSQL_CONTAINERS: use MYSQL_PROCESSES for MySQL servers"
                        + " without GTIDs, or leave gtids at true");
    }

    @Test
    void annotation_gtidsFalseOnMariadb_failsTheClassWithTheReason() {
        List<Event> failed = EngineTestKit.engine("junit-jupiter").selectors(selectClass(MariadbWithoutGtids.class))
                .execute().containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow())
                .isInstanceOf(TopologyException.class).hasMessageContaining("MariaDB always writes GTIDs");
    }

    /** Run only through the engine above: declares what cannot be started. */
    @WithReplicationTopology(gtids = false)
    static class MariadbWithoutGtids {
        @Test
        void neverRuns(ReplicationTopology topology) {
            throw new AssertionError("started a MariaDB topology without GTIDs: " + topology);
        }
    }

    /** The master's binary log end, as {@code SHOW MASTER STATUS} gives it: {@code binlog.000001:1234}. */
    private static String masterBinlogEnd(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return rs.getString("File") + ":" + rs.getLong("Position");
        }
    }

    /** How far the replica's SQL thread has applied the master's binary log. */
    private static String executed(TopologyNode replica) throws SQLException {
        try (Connection c = replica.connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW REPLICA STATUS")) {
            rs.next();
            return rs.getString("Relay_Source_Log_File") + ":" + rs.getLong("Exec_Source_Log_Pos");
        }
    }

    private static long count(TopologyNode node) throws SQLException {
        try (Connection c = node.connectDirect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM bed")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
