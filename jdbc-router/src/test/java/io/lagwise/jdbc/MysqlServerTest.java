package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.GtidSet;
import io.lagwise.core.Health;
import io.lagwise.core.LagSource;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lagwise on MySQL servers (8.0.31, local processes, no Docker), with both drivers: the dialect is
 * taken from the servers, routing goes where it should, the monitor measures lag from the GTID
 * timeline, and read-your-writes holds with replicas 40 ms behind. The first end-to-end proof of
 * issue 14; the full suite on both server kinds follows.
 */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, replicationDelayMillis = 40,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class MysqlServerTest {

    static final int MASTER = 1;

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS mysql_ryw (id BIGINT PRIMARY KEY, v BIGINT)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void dialect_routing_andMonitor_onMysqlServers(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            assertThat(ds.router().master.dialect).isEqualTo(ServerDialect.MYSQL);
            awaitReplicasUp(ds);
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).as("a plain read: the local replica").isEqualTo(2);
                assertThat(Routed.serverId(c, "SELECT @@server_id FROM DUAL FOR UPDATE")).isEqualTo(MASTER);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            NodeSnapshot oslo;
            do {
                Thread.sleep(100);
                oslo = ds.cluster().replicas().get(0);
            } while (oslo.lagSource().orElse(null) != LagSource.GTID_TIMELINE && System.nanoTime() < deadline);
            assertThat(oslo.health()).isEqualTo(Health.UP);
            assertThat(oslo.lagSource()).as("lag from the GTID timeline, as on MariaDB").contains(LagSource.GTID_TIMELINE);
            assertThat(oslo.gtidPosition()).contains(":");
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void readYourWrites_onMysqlServers_hasNoStaleRead_whileEventualHas(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        long id = driver.ordinal();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMasterBudget(0))) {
            awaitReplicasUp(ds);
            int[] ryw = rounds(ds, id); // budget 0: every read after a write waits on a replica (the path under test)
            System.out.printf("MySQL servers, %s: 40 write->read rounds, %d stale, %d on replicas%n", driver, ryw[0], ryw[1]);
            assertThat(ryw[0]).isZero();
            assertThat(ds.routingStats().readYourWritesWaits()).as("reads waited on replicas with WAIT_FOR_EXECUTED_GTID_SET").isPositive();
        }
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.consistency(io.lagwise.core.Consistency.EVENTUAL))) {
            awaitReplicasUp(ds);
            int[] eventual = rounds(ds, id + 10);
            assertThat(eventual[0]).as("EVENTUAL reads are stale: the test can fail").isPositive();
        }
    }

    /**
     * MySQL Connector/J reports each write's own GTID (session tracking), so the session learns its
     * writes' positions without asking the master: the token holds exactly the GTIDs the session's
     * writes made — one per auto-commit write, one per transaction, one per statement of a batch — and
     * not a write another client made on the master afterwards. With {@code trackSessionState=false},
     * and with MariaDB Connector/J, which exposes no tracked GTID, the position is the master's when
     * the session next reads, and holds that later write too (the test can fail).
     */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aWritesOwnGtid_comesWithTheWrite_onMysqlConnectorJ(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        long id = 100 + driver.ordinal() * 10;
        for (boolean tracking : new boolean[] {true, false}) {
            try (LagwiseDataSource ds = Routed.dataSource(topology, driver,
                    b -> b.pool(p -> p.dataSourceProperty("trackSessionState", Boolean.toString(tracking))))) {
                awaitReplicasUp(ds);
                boolean own = driver == JdbcDriver.MYSQL && tracking;
                for (String shape : new String[] {"auto-commit", "transaction", "batch"}) {
                    try (ConsistencySession session = ds.openSession(); Connection c = ds.getConnection();
                            Statement s = c.createStatement()) {
                        GtidSet before = GtidSet.parse(topology.master().gtidPosition());
                        switch (shape) {
                            case "auto-commit" -> s.executeUpdate("REPLACE INTO mysql_ryw VALUES (" + id + ", 1)");
                            case "transaction" -> {
                                c.setAutoCommit(false);
                                s.executeUpdate("UPDATE mysql_ryw SET v = 2 WHERE id = " + id);
                                s.executeUpdate("REPLACE INTO mysql_ryw VALUES (" + (id + 1) + ", 2)");
                                c.commit();
                                c.setAutoCommit(true);
                            }
                            default -> {
                                for (int k = 0; k < 3; k++) {
                                    s.addBatch("REPLACE INTO mysql_ryw VALUES (" + (id + 2 + k) + ", " + System.nanoTime() + ")");
                                }
                                s.executeBatch();
                            }
                        }
                        GtidSet written = GtidSet.parse(topology.master().gtidPosition()).subtract(before);
                        try (Connection other = topology.master().connect(); Statement o = other.createStatement()) {
                            o.executeUpdate("REPLACE INTO mysql_ryw VALUES (" + (id + 9) + ", 0)");
                        }
                        try (ResultSet rs = s.executeQuery("SELECT v FROM mysql_ryw WHERE id = " + id)) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getLong(1)).as("read-your-writes").isEqualTo(shape.equals("auto-commit") ? 1 : 2);
                        }
                        String token = session.token().position().toString();
                        assertThat(written.isEmpty()).as("GTIDs written, %s", shape).isFalse();
                        if (own) {
                            assertThat(token).as("%s: exactly the session's own GTIDs (%d)", shape, shape.equals("batch") ? 3 : 1)
                                    .isEqualTo(written.toString());
                        } else {
                            assertThat(token).as("%s, %s, trackSessionState=%s: the master's position", shape, driver, tracking)
                                    .isEqualTo(topology.master().gtidPosition());
                        }
                    }
                }
            }
        }
    }

    /**
     * Waits until the monitor finds every replica UP: right after a start, MySQL may report a few
     * seconds of Seconds_Behind_Source for a moment, and a replica judged LAGGING takes no reads.
     */
    static void awaitReplicasUp(LagwiseDataSource ds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!ds.cluster().replicas().stream().allMatch(n -> n.health() == Health.UP) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertThat(ds.cluster().replicas()).allSatisfy(n -> assertThat(n.health()).as(n.name()).isEqualTo(Health.UP));
    }

    /** 40 rounds of update-then-read by one user: {stale reads, reads on replicas}. */
    private static int[] rounds(LagwiseDataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("REPLACE INTO mysql_ryw VALUES (" + id + ", 0)");
        }
        int stale = 0;
        int onReplicas = 0;
        for (int round = 1; round <= 40; round++) {
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE mysql_ryw SET v = ? WHERE id = ?")) {
                ps.setLong(1, round);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT v, @@server_id FROM mysql_ryw WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        stale++; // the row itself has not arrived yet
                        continue;
                    }
                    stale += rs.getLong(1) < round ? 1 : 0;
                    onReplicas += rs.getInt(2) != MASTER ? 1 : 0;
                }
            }
        }
        return new int[] {stale, onReplicas};
    }
}
