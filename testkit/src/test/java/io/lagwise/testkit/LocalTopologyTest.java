package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the test bed is real: replication carries writes, injected delay is visible lag, and the
 * failure controls do what they say. One shared topology: master + "oslo" + "frankfurt" (behind a
 * 20 ms client proxy), 40 ms replication delay.
 */
@WithReplicationTopology(
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class LocalTopologyTest {

    @BeforeAll
    static void createTable(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bed (id BIGINT PRIMARY KEY, v VARCHAR(50))");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @Test
    void nodes_haveDistinctServerIdsRolesAndRegions(ReplicationTopology topology) throws SQLException {
        assertThat(topology.nodes()).extracting(TopologyNode::name).containsExactly("master", "oslo", "frankfurt");
        assertThat(topology.master().role()).isEqualTo(TopologyNode.Role.MASTER);
        for (TopologyNode node : topology.nodes()) {
            try (Connection c = node.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@server_id, @@read_only, DATABASE()")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(node.serverId());
                assertThat(rs.getBoolean(2)).isEqualTo(node.role() == TopologyNode.Role.REPLICA);
                assertThat(rs.getString(3)).isEqualTo(topology.database());
            }
        }
        assertThat(topology.node("frankfurt").region()).isEqualTo("frankfurt");
        assertThatThrownBy(() -> topology.node("paris")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no node named 'paris'").hasMessageContaining("oslo");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(JdbcDriver.class)
    void jdbcUrls_workWithBothDrivers(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        assertThat(driver.isAvailable()).isTrue();
        for (TopologyNode node : topology.nodes()) {
            String url = node.jdbcUrl(driver);
            assertThat(url).startsWith(driver.prefix() + node.host() + ":" + node.port() + "/" + topology.database());
            try (Connection c = java.sql.DriverManager.getConnection(url, topology.username(), topology.password());
                    Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(node.serverId());
                assertThat(c.getMetaData().getDriverName()).containsIgnoringCase(driver == JdbcDriver.MARIADB ? "mariadb" : "mysql");
            }
        }
    }

    @Test
    void masterWrite_reachesEveryReplica(ReplicationTopology topology) throws SQLException {
        long id = insert(topology, "reaches-all");
        topology.awaitReplication(Duration.ofSeconds(5));
        for (TopologyNode replica : topology.replicas()) {
            assertThat(read(replica, id)).as(replica.name()).isEqualTo("reaches-all");
        }
    }

    @Test
    void injectedDelay_freshRowIsNotVisibleAtOnce_butIsWithinOneSecond(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        try (Connection replica = oslo.connectDirect()) {
            long id = insert(topology, "fresh");
            long committed = System.nanoTime();
            assertThat(read(replica, id)).as("visible on the replica right after the commit").isNull();
            long visible = awaitVisible(replica, id, Duration.ofSeconds(1));
            long lagMillis = (visible - committed) / 1_000_000;
            assertThat(lagMillis).as("visible lag in ms").isBetween(25L, 1000L);
        }
    }

    @Test
    void secondsBehindMaster_isReadAndIsZeroUnderMillisecondLag(ReplicationTopology topology) {
        ReplicaStatus status = topology.node("oslo").replicaStatus();
        assertThat(status.replicating()).isTrue();
        assertThat(status.secondsBehindMaster()).hasValue(0);
        assertThat(status.lastIoError()).isEmpty();
    }

    @Test
    void stopSqlThread_stopsApplying_andStartResumes(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        oslo.stopSqlThread();
        ReplicaStatus stopped = oslo.replicaStatus();
        assertThat(stopped.sqlRunning()).isFalse();
        assertThat(stopped.ioRunning()).isTrue();
        assertThat(stopped.secondsBehindMaster()).as("Seconds_Behind_Master is NULL while the SQL thread stops").isEmpty();
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
        TopologyNode oslo = topology.node("oslo");
        oslo.stopIoThread();
        assertThat(oslo.replicaStatus().ioRunning()).isFalse();
        long id = insert(topology, "not-received");
        Thread.sleep(300);
        try (Connection c = oslo.connectDirect()) {
            assertThat(read(c, id)).isNull();
            oslo.startIoThread();
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
            awaitVisible(c, id, Duration.ofSeconds(5));
        }
    }

    @Test
    void freeze_acceptsConnectionsButNeverAnswers_andThawRecovers(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        try (Connection open = oslo.connectDirect()) {
            open.setNetworkTimeout(Runnable::run, 500);
            oslo.freeze();
            assertThat(oslo.state()).isEqualTo(TopologyNode.State.FROZEN);
            long begin = System.nanoTime();
            assertThatThrownBy(() -> read(open, 1)).isInstanceOf(SQLException.class);
            long waited = (System.nanoTime() - begin) / 1_000_000;
            assertThat(waited).as("an open connection waits for its network timeout").isBetween(400L, 3000L);
            oslo.thaw();
        }
        long id = insert(topology, "after-thaw");
        try (Connection c = oslo.connectDirect()) {
            awaitVisible(c, id, Duration.ofSeconds(3));
        }
    }

    @Test
    void clientProxy_makesFrankfurtFartherThanOslo(ReplicationTopology topology) throws SQLException {
        assertThat(topology.node("frankfurt").hasClientProxy()).isTrue();
        assertThat(topology.node("oslo").hasClientProxy()).isFalse();
        double oslo = roundTripMillis(topology.node("oslo"));
        double frankfurt = roundTripMillis(topology.node("frankfurt"));
        assertThat(oslo).isLessThan(10);
        assertThat(frankfurt).isBetween(38.0, 80.0);
    }

    @Test
    void replicationDelay_canChangeAtRuntime(ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        oslo.replicationDelay(Duration.ZERO);
        assertThat(oslo.replicationDelay()).isZero();
        try (Connection c = oslo.connectDirect()) {
            Thread.sleep(100); // let bytes already queued under the old delay drain
            long id = insert(topology, "fast");
            long committed = System.nanoTime();
            long visible = awaitVisible(c, id, Duration.ofSeconds(1));
            assertThat((visible - committed) / 1_000_000).isLessThan(25);
        }
    }

    @Test
    void applicationUser_cannotWriteToAReplica(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.node("oslo").connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO bed VALUES (-1, 'x')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("read-only");
        }
    }

    @Test
    void toString_showsNoPassword(ReplicationTopology topology) {
        assertThat(topology.toString()).doesNotContain(topology.password());
        for (TopologyNode node : topology.nodes()) {
            assertThat(node.toString()).doesNotContain(topology.password());
            assertThat(node.jdbcUrl()).doesNotContain(topology.password());
        }
    }

    static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    static long insert(ReplicationTopology topology, String value) throws SQLException {
        long id = IDS.incrementAndGet() + System.nanoTime() % 1_000_000_000L * 1000;
        try (Connection c = topology.master().connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO bed VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, value);
            ps.executeUpdate();
        }
        return id;
    }

    static String read(TopologyNode node, long id) throws SQLException {
        try (Connection c = node.connect()) {
            return read(c, id);
        }
    }

    static String read(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM bed WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Polls until the row is there; returns System.nanoTime() of the first sighting. */
    static long awaitVisible(Connection c, long id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (read(c, id) != null) {
                return System.nanoTime();
            }
            Thread.sleep(1);
        }
        throw new AssertionError("row " + id + " not visible within " + timeout);
    }

    static double roundTripMillis(TopologyNode node) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                s.execute("SELECT 1");
                best = Math.min(best, System.nanoTime() - t);
            }
            return best / 1e6;
        }
    }
}
