package io.lagwise.testkit;

import static io.lagwise.testkit.LocalTopologyTest.awaitVisible;
import static io.lagwise.testkit.LocalTopologyTest.insert;
import static io.lagwise.testkit.LocalTopologyTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LocalTopologyTest}'s essentials on local Oracle MySQL processes ({@link
 * TopologyBackend#MYSQL_PROCESSES}, MySQL 8.0.31 from Maven Central here): GTID auto-positioning,
 * injected lag, the failure controls, read-only replicas, through both drivers. One topology for the
 * class (master + "oslo" + "frankfurt", 40 ms replication delay), closed after it.
 * {@link MySqlNoGtidTopologyTest} runs these same tests on servers without GTIDs: what differs is
 * read from the class's own {@link WithReplicationTopology#gtids()}.
 */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, replicationDelayMillis = 40, shared = false,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class MySqlLocalTopologyTest {

    /** Whether this class's servers run with GTIDs, as its annotation (or a subclass's) declares. */
    final boolean gtids() {
        return getClass().getAnnotation(WithReplicationTopology.class).gtids();
    }

    @BeforeAll
    static void createTable(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bed (id BIGINT PRIMARY KEY, v VARCHAR(50))");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @Test
    void nodes_areMysqlServers_withDistinctIdsAndUuids_readOnlyReplicas(ReplicationTopology topology) throws SQLException {
        assertThat(topology.serverDescription()).contains("MySQL").contains(MysqlBinaries.BUNDLED_VERSION);
        assertThat(topology.nodes()).extracting(TopologyNode::name).containsExactly("master", "oslo", "frankfurt");
        java.util.Set<String> uuids = new java.util.HashSet<>();
        for (TopologyNode node : topology.nodes()) {
            try (Connection c = node.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@server_id, @@read_only, DATABASE(), VERSION(), @@server_uuid,"
                            + " @@gtid_mode, @@version_comment")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(node.serverId());
                assertThat(rs.getBoolean(2)).isEqualTo(node.role() == TopologyNode.Role.REPLICA);
                assertThat(rs.getString(3)).isEqualTo(topology.database());
                assertThat(rs.getString(4)).startsWith(MysqlBinaries.BUNDLED_VERSION);
                assertThat(rs.getString(6)).isEqualTo(gtids() ? "ON" : "OFF");
                assertThat(rs.getString(7)).contains("MySQL").doesNotContain("MariaDB");
                uuids.add(rs.getString(5));
            }
        }
        assertThat(uuids).as("each server its own server_uuid").hasSize(3);
    }

    @Test
    void masterWrite_reachesEveryReplica_withTheMastersGtidSet(ReplicationTopology topology) throws SQLException {
        long id = insert(topology, "reaches-all");
        topology.awaitReplication(Duration.ofSeconds(5));
        String master = topology.master().gtidPosition();
        // without GTIDs there is no set: the position is empty everywhere (MySqlNoGtidTopologyTest
        // compares binary log positions instead)
        assertThat(master).matches(gtids() ? "[0-9a-f-]{36}:1-[0-9]+" : "");
        for (TopologyNode replica : topology.replicas()) {
            assertThat(read(replica, id)).as(replica.name()).isEqualTo("reaches-all");
            assertThat(replica.gtidPosition()).as(replica.name() + " @@gtid_executed").isEqualTo(master);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void applicationUser_readsOnReplicas_andCannotWriteThere(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        long id = insert(topology, "read-by-" + driver);
        topology.awaitReplication(Duration.ofSeconds(5));
        for (TopologyNode replica : topology.replicas()) {
            String url = replica.jdbcUrl(driver);
            try (Connection c = DriverManager.getConnection(url, topology.username(), topology.password());
                    Statement s = c.createStatement()) {
                assertThat(c.getMetaData().getDriverName()).containsIgnoringCase(driver == JdbcDriver.MARIADB ? "mariadb" : "mysql");
                assertThat(read(c, id)).isEqualTo("read-by-" + driver);
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO bed VALUES (-1, 'x')"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1290))
                        .hasMessageContaining("read-only");
            }
        }
        try (Connection c = DriverManager.getConnection(topology.master().jdbcUrl(driver), topology.username(),
                topology.password()); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE bed SET v = 'master-writes' WHERE id = " + id)).isEqualTo(1);
        }
    }

    @Test
    void injectedDelay_freshRowIsNotVisibleAtOnce_butIsWithinOneSecond(ReplicationTopology topology) throws Exception {
        try (Connection replica = topology.node("oslo").connectDirect()) {
            long id = insert(topology, "fresh");
            long committed = System.nanoTime();
            assertThat(read(replica, id)).as("visible on the replica right after the commit").isNull();
            long visible = awaitVisible(replica, id, Duration.ofSeconds(1));
            assertThat((visible - committed) / 1_000_000).as("visible lag in ms").isBetween(25L, 1000L);
        }
    }

    @Test
    void visibleLagMeter_seesTheInjected40ms(ReplicationTopology topology) throws Exception {
        try (VisibleLagMeter meter = VisibleLagMeter.start(topology)) {
            for (int i = 0; i < 20; i++) {
                meter.write();
                Thread.sleep(20);
            }
            assertThat(meter.awaitVisible(Duration.ofSeconds(5))).isTrue();
            for (TopologyNode replica : topology.replicas()) {
                LagSamples samples = meter.samples(replica.name());
                assertThat(samples.count()).as(replica.name()).isEqualTo(20);
                assertThat(samples.percentile(0.5)).as(replica.name() + " p50").isBetween(Duration.ofMillis(35), Duration.ofMillis(400));
            }
        }
    }

    @Test
    void secondsBehindSource_isReadAndIsZeroUnderMillisecondLag(ReplicationTopology topology) throws Exception {
        // For a few seconds after a replica restart MySQL 8.0.31 reports seconds of lag while the
        // replica is caught up (seen: 3 and 4, right after a fresh write was applied; 0 again 1.5 s
        // later), so the kill test before this one must not decide it: poll for the settled value.
        insert(topology, "fresh-for-seconds-behind");
        topology.awaitReplication(Duration.ofSeconds(5));
        TopologyNode oslo = topology.node("oslo");
        ReplicaStatus status = oslo.replicaStatus();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!status.secondsBehindMaster().equals(java.util.OptionalLong.of(0)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = oslo.replicaStatus();
        }
        assertThat(status.replicating()).isTrue();
        assertThat(status.secondsBehindMaster()).hasValue(0);
        assertThat(status.lastIoError()).isEmpty();
        assertThat(status.lastSqlError()).isEmpty();
    }

    @Test
    void stopSqlThread_showsInReplicaStatus_andStartResumes(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        oslo.stopSqlThread();
        ReplicaStatus stopped = oslo.replicaStatus();
        assertThat(stopped.sqlRunning()).isFalse();
        assertThat(stopped.ioRunning()).isTrue();
        assertThat(stopped.secondsBehindMaster()).as("Seconds_Behind_Source is NULL while the SQL thread stops").isEmpty();
        long id = insert(topology, "held-back");
        Thread.sleep(300);
        try (Connection c = oslo.connectDirect()) {
            assertThat(read(c, id)).isNull();
            oslo.startSqlThread();
            awaitVisible(c, id, Duration.ofSeconds(2));
        }
    }

    @Test
    void stopIoThread_stopsReceiving_andStartResumes(ReplicationTopology topology) throws Exception {
        TopologyNode frankfurt = topology.node("frankfurt");
        frankfurt.stopIoThread();
        assertThat(frankfurt.replicaStatus().ioRunning()).isFalse();
        long id = insert(topology, "not-received");
        Thread.sleep(300);
        try (Connection c = frankfurt.connectDirect()) {
            assertThat(read(c, id)).isNull();
            frankfurt.startIoThread();
            awaitVisible(c, id, Duration.ofSeconds(3));
        }
    }

    @Test
    void kill_refusesConnectionsFast_andRestartResumesReplication(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        long pid = oslo.pid().orElseThrow();
        oslo.kill();
        assertThat(oslo.state()).isEqualTo(TopologyNode.State.KILLED);
        assertThat(ProcessHandle.of(pid)).isEmpty();
        long begin = System.nanoTime();
        assertThatThrownBy(oslo::connect).isInstanceOf(SQLException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(1));

        long id = insert(topology, "while-dead");
        oslo.restart();
        assertThat(oslo.state()).isEqualTo(TopologyNode.State.RUNNING);
        try (Connection c = oslo.connectDirect()) {
            awaitVisible(c, id, Duration.ofSeconds(10));
        }
        assertThat(oslo.replicaStatus().replicating()).isTrue();
    }

    @Test
    void freeze_acceptsConnectionsButNeverAnswers_andThawRecovers(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        try (Connection open = oslo.connectDirect()) {
            open.setNetworkTimeout(Runnable::run, 500);
            oslo.freeze();
            assertThat(oslo.state()).isEqualTo(TopologyNode.State.FROZEN);
            assertThatThrownBy(() -> read(open, 1)).isInstanceOf(SQLException.class);
            oslo.thaw();
        }
        long id = insert(topology, "after-thaw");
        try (Connection c = oslo.connectDirect()) {
            awaitVisible(c, id, Duration.ofSeconds(3));
        }
    }
}
