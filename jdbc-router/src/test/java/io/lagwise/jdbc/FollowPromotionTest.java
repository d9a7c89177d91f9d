package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.ClusterListener;
import io.lagwise.core.Health;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Promotions as operators, Orchestrator and MHA make them, on real servers: Lagwise follows them
 * with default settings, never writes to a server no replica follows, and loses an open transaction
 * with a clear error. Each test promotes, so each gets a topology of its own (the extension starts
 * a new one after a promotion).
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")}, replicationDelayMillis = 40)
class FollowPromotionTest {

    /** Default monitor interval and probe timeout: the bound the issue sets, 2 × 250 ms + 1 s. */
    static final Duration FOLLOWED_WITHIN = Duration.ofMillis(2 * 250 + 1000);

    @BeforeEach
    void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS promoted (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40), written_on INT)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void masterKilled_replicaPromoted_writesFollowWithinTwoIntervalsAndAProbeTimeout(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ClusterListener listener = new ClusterListener() {
            @Override
            public void healthChanged(NodeSnapshot node, Health previous) {}

            @Override
            public void masterChanged(NodeSnapshot master, NodeSnapshot previous) {
                events.add(previous.name() + " -> " + master.name());
            }
        };
        // EVENTUAL: where reads go shows the roles, not read-your-writes sending the read after a write to the master
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.listener(listener).consistency(io.lagwise.core.Consistency.EVENTUAL))) {
            TopologyNode oldMaster = topology.master();
            TopologyNode frankfurt = topology.node("frankfurt");
            assertThat(write(ds, "before")).isEqualTo(oldMaster.serverId());
            topology.awaitReplication(Duration.ofSeconds(10)); // no replica ahead of the promoted one
            oldMaster.kill();
            topology.promote(frankfurt);
            long promoted = System.nanoTime();
            int landedOn = writeUntilAccepted(ds, "after", Duration.ofSeconds(5));
            Duration took = Duration.ofNanos(System.nanoTime() - promoted);
            assertThat(landedOn).as("the write went to the promoted replica").isEqualTo(frankfurt.serverId());
            System.out.printf("%s: the first write accepted on the promoted replica %d ms after promote() returned%n",
                    driver, took.toMillis());
            assertThat(took).as("followed within 2 × monitor interval + probe timeout").isLessThan(FOLLOWED_WITHIN);
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (events.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(5); // listeners hear of it just after writes go there
            }
            assertThat(events).containsExactly("127.0.0.1:" + oldMaster.port() + " -> 127.0.0.1:" + frankfurt.port());
            assertThat(ds.cluster().master().name()).isEqualTo("127.0.0.1:" + frankfurt.port());
            assertThat(ds.cluster().masterChanges()).isEqualTo(1);
            // reads go on, on the re-pointed replica once the monitor finds it replicating from the new master
            String oslo = "127.0.0.1:" + topology.node("oslo").port();
            long upBy = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (ds.cluster().node(oslo).health() != Health.UP && System.nanoTime() - upBy < 0) {
                Thread.sleep(10);
            }
            assertThat(ds.cluster().node(oslo).health()).as("%s", ds.cluster()).isEqualTo(Health.UP);
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).isEqualTo(topology.node("oslo").serverId());
            }
            topology.awaitReplication(Duration.ofSeconds(10));
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*), @@server_id, (SELECT GROUP_CONCAT(v) FROM promoted) FROM promoted WHERE v = 'after'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("on %s: %s", rs.getInt(2), rs.getString(3)).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void plannedSwitchover_aTransactionOnTheOldMaster_isLostWithAClearError_neverCommittedThere(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection tx = ds.getConnection()) {
            TopologyNode oldMaster = topology.master();
            TopologyNode oslo = topology.node("oslo");
            tx.setAutoCommit(false);
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("INSERT INTO promoted (v, written_on) VALUES ('in-tx', @@server_id)");
            }
            // the operators' switchover: the old master stops taking writes, a replica takes over
            try (Connection admin = oldMaster.connectAdmin(); Statement s = admin.createStatement()) {
                s.execute("SET GLOBAL read_only = ON");
            }
            topology.awaitReplication(Duration.ofSeconds(10));
            topology.promote(oslo);
            assertThat(writeUntilAccepted(ds, "after", Duration.ofSeconds(5))).isEqualTo(oslo.serverId());
            assertThatThrownBy(tx::commit).isInstanceOf(SQLTransactionRollbackException.class)
                    .hasMessageContaining("the transaction was lost with the connection to 127.0.0.1:" + oldMaster.port()
                            + ", which is no longer the master (master 127.0.0.1:" + oslo.port() + " is)")
                    .hasMessageNotContaining(topology.password());
            tx.rollback();
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("INSERT INTO promoted (v, written_on) VALUES ('again', @@server_id)");
            }
            tx.commit();
        }
        try (Connection c = topology.node("oslo").connectDirect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT v, written_on FROM promoted ORDER BY id")) {
            StringBuilder rows = new StringBuilder();
            while (rs.next()) {
                rows.append(rs.getString(1)).append('@').append(rs.getInt(2)).append(' ');
            }
            int oslo = topology.node("oslo").serverId();
            assertThat(rows.toString().trim()).as("nothing of the lost transaction, and the retry on the new master")
                    .isEqualTo("after@" + oslo + " again@" + oslo);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void oldMasterBackWritable_withoutFollowers_isNeverWritten(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            TopologyNode oldMaster = topology.master();
            TopologyNode frankfurt = topology.node("frankfurt");
            oldMaster.kill();
            topology.promote(frankfurt);
            writeUntilAccepted(ds, "after", Duration.ofSeconds(5));
            oldMaster.restart(); // its my.cnf says read_only = 0, and it replicates from nothing: a split brain
            String before = oldMaster.gtidPosition();
            // Refused while oslo's IO thread reconnects (it names its new source only once connected: until
            // then nothing settles which of the two writable servers is the master); then resolved by
            // replication, oslo following the promoted one. Never a write to the old master.
            int accepted = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    assertThat(write(ds, "split-" + i)).as("write %d", i).isEqualTo(frankfurt.serverId());
                    accepted++;
                } catch (SQLException e) {
                    assertThat(e.getMessage()).contains("write refused: split brain").contains("127.0.0.1:" + oldMaster.port());
                }
                Thread.sleep(50); // across several probes of the old master, which answers again
            }
            assertThat(writeUntilAccepted(ds, "resolved", Duration.ofSeconds(3))).isEqualTo(frankfurt.serverId());
            assertThat(accepted).as("resolved by replication within the second").isPositive();
            assertThat(oldMaster.gtidPosition()).as("not one write on the old master").isEqualTo(before);
            assertThat(ds.cluster().master().name()).isEqualTo("127.0.0.1:" + frankfurt.port());
            assertThat(ds.cluster().writesRefused()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void followPromotionsOff_keepsTheConfiguredRoles(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.followPromotions(false))) {
            TopologyNode oldMaster = topology.master();
            TopologyNode frankfurt = topology.node("frankfurt");
            oldMaster.kill();
            topology.promote(frankfurt);
            long deadline = System.nanoTime() + FOLLOWED_WITHIN.plusSeconds(1).toNanos();
            int failures = 0;
            while (System.nanoTime() - deadline < 0) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> write(ds, "nowhere"));
                assertThat(e.getMessage()).as("the configured master, still").contains("127.0.0.1:" + oldMaster.port());
                failures++;
                Thread.sleep(20);
            }
            assertThat(failures).isPositive();
            assertThat(ds.cluster().master().name()).isEqualTo("127.0.0.1:" + oldMaster.port());
            assertThat(ds.cluster().masterChanges()).isZero();
        }
    }

    /** One write in a transaction: the server id that ran it. */
    static int write(LagwiseDataSource ds, String v) throws SQLException {
        return write(ds, v, "promoted");
    }

    /** One write into {@code table} in a transaction: the server id that ran it. */
    static int write(LagwiseDataSource ds, String v, String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO " + table + " (v, written_on) VALUES ('" + v + "', @@server_id)");
            int serverId;
            try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                rs.next();
                serverId = rs.getInt(1);
            }
            c.commit();
            return serverId;
        }
    }

    /** Writes until one is accepted (each failure must name a server and hide the password): where it ran. */
    static int writeUntilAccepted(LagwiseDataSource ds, String v, Duration patience) throws Exception {
        return writeUntilAccepted(ds, v, patience, "promoted");
    }

    static int writeUntilAccepted(LagwiseDataSource ds, String v, Duration patience, String table) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return write(ds, v, table);
            } catch (SQLException e) {
                assertThat(e.getMessage()).contains("127.0.0.1:");
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }
}
