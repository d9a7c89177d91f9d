package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The cases a review found: each one a way routing could go quietly wrong. */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class EdgeCaseTest {

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS edge (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))");
            s.execute("DROP PROCEDURE IF EXISTS edge_insert");
            s.execute("CREATE PROCEDURE edge_insert(IN val VARCHAR(40)) INSERT INTO edge (v) VALUES (val)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void replicaConnections_areReadOnlySessions(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id, @@"
                        + (Routed.mysql(topology) ? "transaction_read_only" : "tx_read_only"))) { // MySQL 8 renamed it
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(RoutingTest.OSLO);
            assertThat(rs.getInt(2)).as("even a write the classifier cannot see fails on a replica").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void fullMasterPool_isNotADownMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver,
                b -> b.pool(p -> p.maximumPoolSize(1).connectionTimeout(Duration.ofMillis(300))))) {
            Connection holder = ds.getConnection();
            holder.setAutoCommit(false);
            holder.createStatement().executeUpdate("INSERT INTO edge (v) VALUES ('holding')");
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO edge (v) VALUES ('waits')"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("became free in time");
            }
            holder.rollback();
            holder.close();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("INSERT INTO edge (v) VALUES ('at once')"))
                        .as("the master was not marked down").isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void sessionStateMadeInATransaction_keepsTheConnectionOnTheMaster(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE edge_tmp (a INT)");
                s.executeUpdate("INSERT INTO edge_tmp VALUES (1)");
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM edge_tmp")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the temporary table is still there: same server").isEqualTo(1);
            }
            assertThat(Routed.serverId(c)).isEqualTo(RoutingTest.MASTER);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void callPreparedBeforeATransaction_failsClearly_insteadOfRunningOutsideIt(JdbcDriver driver,
            ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (CallableStatement cs = c.prepareCall("{call edge_insert(?)}")) {
                c.setReadOnly(false);
                cs.setString(1, "outside");
                assertThatThrownBy(cs::execute).isInstanceOf(SQLException.class)
                        .hasMessageContaining("prepare the call inside the transaction it belongs to");
            }
            try (CallableStatement cs = c.prepareCall("{call edge_insert(?)}")) {
                cs.setString(1, "inside");
                cs.execute();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void preparedRead_inAReadOnlyTransaction_isRetriedOnAnotherReplica(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT @@server_id, ?")) {
                ps.setInt(1, 42);
                topology.node("oslo").kill();
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("first statement of the transaction moves").isEqualTo(RoutingTest.FRANKFURT);
                    assertThat(rs.getInt(2)).isEqualTo(42);
                }
            }
            c.commit();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void clientInfo_doesNotLeakToTheNextBorrower(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver,
                b -> b.pool(p -> p.maximumPoolSize(1)))) {
            try (Connection c = ds.getConnection()) {
                c.setClientInfo("ApplicationName", "first-user");
                Routed.serverId(c);
            }
            try (Connection c = ds.getConnection()) {
                Routed.serverId(c);
                Class<? extends Connection> type = driver == JdbcDriver.MARIADB ? org.mariadb.jdbc.Connection.class
                        : com.mysql.cj.jdbc.JdbcConnection.class;
                Connection driverConnection = c.unwrap(type);
                assertThat(driverConnection.getClientInfo("ApplicationName")).isNullOrEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void fetchSize_beforeTheFirstRun_isKept_evenMySqlsStreamingValue(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        int fetchSize = driver == JdbcDriver.MYSQL ? Integer.MIN_VALUE : 1;
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.setFetchSize(fetchSize);
            assertThat(s.getFetchSize()).isEqualTo(fetchSize);
            try (ResultSet rs = s.executeQuery("SELECT 1 UNION SELECT 2")) {
                int rows = 0;
                while (rs.next()) {
                    rows++;
                }
                assertThat(rows).isEqualTo(2);
            }
        }
    }
}
