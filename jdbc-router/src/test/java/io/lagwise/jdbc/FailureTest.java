package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
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

/** Servers that die: reads go on, writes fail fast and by name, nothing is retried that must not be. */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class FailureTest {

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS failing (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void replicaKilledUnderAnOpenConnection_theReadIsRetriedOnAnother(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT @@server_id, ?")) {
            ps.setString(1, "kept");
            assertThat(serverOf(ps)).isEqualTo(RoutingTest.OSLO);
            topology.node("oslo").kill();
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("retried on the other replica").isEqualTo(RoutingTest.FRANKFURT);
                assertThat(rs.getString(2)).as("with its parameter").isEqualTo("kept");
            }
            assertThat(Routed.serverId(c)).isEqualTo(RoutingTest.FRANKFURT);
            try (Connection other = ds.getConnection()) {
                long begin = System.nanoTime();
                assertThat(Routed.serverId(other)).as("a down replica is skipped at once").isEqualTo(RoutingTest.FRANKFURT);
                assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofMillis(500));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void plainStatementRead_isRetriedToo(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            assertThat(serverOf(s.executeQuery("SELECT @@server_id"))).isEqualTo(RoutingTest.OSLO);
            topology.node("oslo").kill();
            assertThat(serverOf(s.executeQuery("SELECT @@server_id"))).isEqualTo(RoutingTest.FRANKFURT);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void everyReplicaDown_readsFallBackToTheMaster_orFailIfSoConfigured(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver);
                LagwiseDataSource strict = Routed.dataSource(topology, driver, b -> b.readFallback(ReadFallback.FAIL))) {
            topology.node("oslo").kill();
            topology.node("frankfurt").kill();
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).isEqualTo(RoutingTest.MASTER);
            }
            try (Connection c = strict.getConnection()) {
                assertThatThrownBy(() -> Routed.serverId(c)).isInstanceOf(SQLException.class)
                        .hasMessageContaining("no replica could serve the read (replicas=2, up=")
                        .hasMessageContaining("readFallback is FAIL");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void masterDown_writesFailFastNamingIt_whileReadsGoOn(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver,
                b -> b.pool(p -> p.connectionTimeout(Duration.ofSeconds(1))))) {
            TopologyNode master = topology.master();
            master.kill();
            String name = "master 127.0.0.1:" + master.port();
            long killed = System.nanoTime();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                // Until the failure is known, a write may fail on a dead pooled connection or on the
                // connect; once it is known (a probe, or that failure), writes fail at once. Each
                // failure names the master and never shows a password.
                long failFastAfter = -1;
                for (int i = 0; i < 50 && failFastAfter < 0; i++) {
                    long begin = System.nanoTime();
                    SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                            () -> s.executeUpdate("INSERT INTO failing (v) VALUES ('lost')"));
                    assertThat(e.getMessage()).contains(name).doesNotContain(topology.password());
                    if (e.getMessage().contains(name + " is down")) {
                        assertThat(e.getMessage()).contains("fail until it answers again");
                        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("a known-down master fails fast")
                                .isLessThan(Duration.ofMillis(100));
                        failFastAfter = System.nanoTime() - killed;
                    }
                }
                assertThat(failFastAfter).as("writes fail fast soon after the master died").isPositive()
                        .isLessThan(Duration.ofSeconds(3).toNanos());
                assertThat(Routed.serverId(c)).as("reads go on").isEqualTo(RoutingTest.OSLO);
            }
            master.restart();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    assertThat(s.executeUpdate("INSERT INTO failing (v) VALUES ('back')")).isEqualTo(1);
                    break;
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    sleep(200);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void writeThatFails_isNeverRetried(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO failing (v) VALUES ('first')");
            topology.master().kill();
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO failing (v) VALUES ('once-" + driver + "')"))
                    .isInstanceOf(SQLException.class);
            topology.master().restart();
            topology.awaitReplication(Duration.ofSeconds(10));
            try (Connection m = topology.master().connect(); Statement ms = m.createStatement();
                    ResultSet rs = ms.executeQuery("SELECT COUNT(*) FROM failing WHERE v = 'once-" + driver + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("not written by a blind retry").isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void transactionWhoseServerDies_isLost_andCommitSaysSo(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO failing (v) VALUES ('in-tx')");
                topology.master().kill();
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO failing (v) VALUES ('in-tx-2')"))
                        .hasMessageContaining("the transaction is lost");
                assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
                        .isInstanceOf(java.sql.SQLTransactionRollbackException.class)
                        .hasMessageContaining("roll back, then run it again");
            }
            assertThatThrownBy(c::commit).isInstanceOf(java.sql.SQLTransactionRollbackException.class);
            c.rollback();
        }
    }

    private static int serverOf(PreparedStatement ps) throws SQLException {
        return serverOf(ps.executeQuery());
    }

    private static int serverOf(ResultSet rs) throws SQLException {
        try (rs) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
