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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MariaDB container backend keeps the local backend's promises: replication carries writes,
 * injected delay is visible lag, the replica status is read, and killed nodes come back and catch
 * up. {@link MySqlContainerTopologyTest} runs the same tests on MySQL. Each runs master + "oslo" +
 * "frankfurt" (behind a client proxy, so a restart must move it) with a 40 ms replication delay.
 * Without Docker the extension reports the class as skipped, with the reason.
 *
 * <p>Two top-level classes rather than {@code @Nested} ones: Surefire's {@code -Dtest=} filter does
 * not match nested classes (SUREFIRE-1633), and a wildcard runs them twice.
 */
@WithReplicationTopology(backend = TopologyBackend.MARIADB_CONTAINERS, replicationDelayMillis = 40, shared = false,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 0)})
class ContainerTopologyTest {

    private static final AtomicLong IDS = new AtomicLong();

    /** The start of {@link ReplicationTopology#serverDescription()} for the default image. */
    String expectedServer() {
        return "MariaDB 11.4";
    }

    @BeforeAll
    static void createTable(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bed (id BIGINT PRIMARY KEY, v VARCHAR(50))");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @Test
    void serverDescription_namesTheServerAndTheImage(ReplicationTopology topology) {
        assertThat(topology.serverDescription()).startsWith(expectedServer()).contains("(container ");
    }

    @Test
    void everyNode_hasItsOwnServerId_andMasterWriteReachesEveryReplica(ReplicationTopology topology)
            throws SQLException {
        Set<Integer> serverIds = new HashSet<>();
        for (TopologyNode node : topology.nodes()) {
            try (Connection c = node.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@server_id, @@read_only")) {
                rs.next();
                assertThat(rs.getInt(1)).as(node.name()).isEqualTo(node.serverId());
                assertThat(rs.getBoolean(2)).as(node.name() + " read_only")
                        .isEqualTo(node.role() == TopologyNode.Role.REPLICA);
                serverIds.add(rs.getInt(1));
            }
        }
        assertThat(serverIds).containsExactlyInAnyOrder(1, 2, 3);

        long id = insert(topology, "reaches-all");
        topology.awaitReplication(Duration.ofSeconds(10));
        for (TopologyNode replica : topology.replicas()) {
            try (Connection c = replica.connect()) {
                assertThat(read(c, id)).as(replica.name()).isEqualTo("reaches-all");
            }
        }
    }

    @Test
    void applicationUser_cannotWriteToAReplica(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.node("oslo").connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("INSERT INTO bed VALUES (-1, 'forbidden')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("read");
        }
    }

    @Test
    void injectedDelay_freshRowIsNotVisibleAtOnce_butIsWithinOneSecond(ReplicationTopology topology)
            throws Exception {
        try (Connection replica = topology.node("oslo").connectDirect()) {
            long id = insert(topology, "fresh");
            long committed = System.nanoTime();
            assertThat(read(replica, id)).as("visible on the replica right after the commit").isNull();
            long visible = awaitVisible(replica, id, Duration.ofSeconds(1));
            assertThat((visible - committed) / 1_000_000).as("visible lag in ms").isBetween(25L, 1000L);
        }
    }

    @Test
    void replicaStatus_readsSecondsBehindMaster_andNullWhileTheSqlThreadStops(ReplicationTopology topology) {
        TopologyNode oslo = topology.node("oslo");
        ReplicaStatus status = oslo.replicaStatus();
        assertThat(status.replicating()).isTrue();
        assertThat(status.secondsBehindMaster()).isPresent();
        assertThat(status.secondsBehindMaster().getAsLong()).as("seconds behind under 40 ms lag").isBetween(0L, 1L);
        assertThat(status.lastIoError()).isEmpty();
        assertThat(status.lastSqlError()).isEmpty();

        oslo.stopSqlThread();
        ReplicaStatus stopped = oslo.replicaStatus();
        assertThat(stopped.sqlRunning()).isFalse();
        assertThat(stopped.ioRunning()).isTrue();
        assertThat(stopped.secondsBehindMaster()).as("NULL while the SQL thread stops").isEmpty();
        oslo.startSqlThread();
        assertThat(oslo.replicaStatus().replicating()).isTrue();
    }

    @Test
    void killedReplica_refusesConnections_andRestartResumesReplication(ReplicationTopology topology)
            throws Exception {
        TopologyNode frankfurt = topology.node("frankfurt");
        frankfurt.kill();
        assertThat(frankfurt.state()).isEqualTo(TopologyNode.State.KILLED);
        assertThatThrownBy(frankfurt::connectDirect).isInstanceOf(SQLException.class);

        long id = insert(topology, "while-dead");
        frankfurt.restart();
        assertThat(frankfurt.state()).isEqualTo(TopologyNode.State.RUNNING);
        // Through the client proxy: it must follow the container to its new mapped port.
        try (Connection c = frankfurt.connect()) {
            awaitVisible(c, id, Duration.ofSeconds(30));
        }
        assertThat(frankfurt.replicaStatus().replicating()).isTrue();
    }

    @Test
    void killedMaster_restartsOnItsNewPort_andReplicasFollowIt(ReplicationTopology topology) throws Exception {
        TopologyNode master = topology.master();
        master.kill();
        assertThatThrownBy(master::connectDirect).isInstanceOf(SQLException.class);
        master.restart();
        long id = insert(topology, "after-master-restart");
        for (TopologyNode replica : topology.replicas()) {
            try (Connection c = replica.connectDirect()) {
                awaitVisible(c, id, Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void frozenReplica_acceptsConnectionsButNeverAnswers_andThawRecovers(ReplicationTopology topology)
            throws Exception {
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
            awaitVisible(c, id, Duration.ofSeconds(10));
        }
    }

    static long insert(ReplicationTopology topology, String value) throws SQLException {
        long id = IDS.incrementAndGet();
        try (Connection c = topology.master().connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO bed VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, value);
            ps.executeUpdate();
        }
        return id;
    }

    static String read(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM bed WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Polls until the row is there; returns when it was seen (nanoTime). */
    static long awaitVisible(Connection c, long id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (read(c, id) != null) {
                return System.nanoTime();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("row " + id + " not visible within " + timeout.toMillis() + " ms");
            }
            Thread.sleep(2);
        }
    }
}
