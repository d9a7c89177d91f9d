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

/**
 * Every routing rule, checked by which server ran each statement ({@code @@server_id}), with both
 * MariaDB Connector/J and MySQL Connector/J. Master is server 1, oslo 2, frankfurt 3.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class RoutingTest {

    static final int MASTER = 1;
    static final int OSLO = 2;
    static final int FRANKFURT = 3;

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS routed (id BIGINT AUTO_INCREMENT PRIMARY KEY, ran_on INT, v VARCHAR(40))");
            s.execute("DROP PROCEDURE IF EXISTS where_am_i");
            s.execute("CREATE PROCEDURE where_am_i(OUT sid INT) SELECT @@server_id INTO sid");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void autoCommitSelect_goesToTheLocalReplica(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            for (int i = 0; i < 5; i++) {
                assertThat(Routed.serverId(c)).isEqualTo(OSLO);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT @@server_id, ? AS echo")) {
                ps.setString(1, "x");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(OSLO);
                    assertThat(rs.getString(2)).isEqualTo("x");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void write_goesToTheMaster_andThenReplicates(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO routed (ran_on, v) VALUES (@@server_id, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "write-" + driver);
                assertThat(ps.executeUpdate()).isEqualTo(1);
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    id = keys.getLong(1);
                }
            }
            assertThat(ranOn(topology, id)).isEqualTo(MASTER);
            try (Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("UPDATE routed SET v = 'updated' WHERE id = " + id)).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void readOnlyConnection_readsFromAReplica_andRefusesWrites(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            assertThat(Routed.serverId(c)).isEqualTo(OSLO);
            assertThat(Routed.serverId(c, "SELECT @@server_id FROM DUAL FOR UPDATE")).as("locking read, read-only")
                    .isEqualTo(OSLO);
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO routed (v) VALUES ('no')"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("cannot run a write on a read-only connection");
            }
            c.setReadOnly(false);
            assertThat(Routed.serverId(c, "SELECT @@server_id FROM DUAL FOR UPDATE")).isEqualTo(MASTER);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void transaction_staysOnTheMasterFromFirstStatementToCommit(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            assertThat(Routed.serverId(c)).as("even a plain read inside the transaction").isEqualTo(MASTER);
            LagwiseConnection lc = c.unwrap(LagwiseConnection.class);
            assertThat(lc.currentServer()).startsWith("master ");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO routed (ran_on, v) VALUES (@@server_id, 'tx')")) {
                ps.executeUpdate();
            }
            assertThat(Routed.serverId(c)).isEqualTo(MASTER);
            c.rollback();
            assertThat(lc.currentServer()).isEmpty();
            c.setAutoCommit(true);
            assertThat(Routed.serverId(c)).as("after the transaction, reads leave the master").isEqualTo(OSLO);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void readOnlyTransaction_runsOnOneReplica(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        // The pattern of Spring's DataSourceTransactionManager for @Transactional(readOnly = true).
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            int first = Routed.serverId(c);
            assertThat(first).isEqualTo(OSLO);
            for (int i = 0; i < 3; i++) {
                assertThat(Routed.serverId(c)).isEqualTo(first);
            }
            assertThatThrownBy(() -> c.setReadOnly(false)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot change read-only while a transaction runs");
            c.commit();
            c.setAutoCommit(true);
            c.setReadOnly(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO routed (ran_on, v) VALUES (@@server_id, 'after-ro-tx')");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void masterHint_andUseMaster_forceTheMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c, "/* lagwise:master */ SELECT @@server_id")).isEqualTo(MASTER);
            assertThat(Routed.serverId(c)).as("the hint holds for its statement only").isEqualTo(OSLO);
            LagwiseConnection lc = c.unwrap(LagwiseConnection.class);
            assertThat(lc.usesMaster()).isFalse();
            lc.useMaster();
            assertThat(lc.usesMaster()).isTrue();
            assertThat(Routed.serverId(c)).isEqualTo(MASTER);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void lockingReadsAndSessionState_goToTheMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c, "SELECT @@server_id FROM DUAL FOR UPDATE")).isEqualTo(MASTER);
            assertThat(Routed.serverId(c)).isEqualTo(OSLO);
            try (Statement s = c.createStatement()) {
                s.execute("SET @who = 'me'");
            }
            assertThat(Routed.serverId(c, "SELECT @@server_id FROM DUAL WHERE @who = 'me'"))
                    .as("the user variable lives on the master's session").isEqualTo(MASTER);
            assertThat(Routed.serverId(c)).as("a session-state statement keeps the connection on the master")
                    .isEqualTo(MASTER);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void temporaryTables_andLastInsertId_work(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE scratch (a INT)");
            s.executeUpdate("INSERT INTO scratch VALUES (1), (2)");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM scratch")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            s.executeUpdate("INSERT INTO routed (ran_on, v) VALUES (@@server_id, 'lid')");
            try (ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID()")) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
                assertThat(ranOn(topology, rs.getLong(1))).isEqualTo(MASTER);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void sessionSettings_areCarriedToTheReplica(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            c.setCatalog("information_schema");
            c.setClientInfo("ApplicationName", "routing-test");
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@server_id, @@"
                            + (Routed.mysql(topology) ? "transaction_isolation" : "tx_isolation") + ", DATABASE()")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(OSLO);
                assertThat(rs.getString(2)).isEqualTo("READ-COMMITTED");
                assertThat(rs.getString(3)).isEqualTo("information_schema");
            }
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            assertThat(c.getCatalog()).isEqualTo("information_schema");
            assertThat(c.getClientInfo("ApplicationName")).isEqualTo("routing-test");
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void batchInsert_runsOnTheMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO routed (ran_on, v) VALUES (@@server_id, ?)")) {
                for (int i = 0; i < 5; i++) {
                    ps.setString(1, "batch-" + driver + "-" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertThat(counts).hasSize(5);
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                s.addBatch("UPDATE routed SET v = CONCAT(v, '!') WHERE v LIKE 'batch-" + driver + "-%'");
                s.addBatch("UPDATE routed SET v = v WHERE id < 0");
                assertThat(s.executeBatch()).hasSize(2);
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "/* lagwise:master */ SELECT COUNT(*), MIN(ran_on), MAX(ran_on) FROM routed WHERE v LIKE 'batch-"
                            + driver + "-%!'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(5);
                assertThat(rs.getInt(2)).isEqualTo(MASTER);
                assertThat(rs.getInt(3)).isEqualTo(MASTER);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void callableStatement_runsOnTheMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                CallableStatement cs = c.prepareCall("{call where_am_i(?)}")) {
            cs.registerOutParameter(1, Types.INTEGER);
            cs.execute();
            assertThat(cs.getInt(1)).isEqualTo(MASTER);
            assertThat(cs.getConnection()).isSameAs(c);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void metadataAndUnwrap_work_andDoNotDecideTheNextRoute(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isNotBlank();
            assertThat(c.isValid(1)).isTrue();
            Class<?> driverConnection = Class.forName(driver == JdbcDriver.MARIADB ? "org.mariadb.jdbc.Connection"
                    : "com.mysql.cj.jdbc.JdbcConnection");
            assertThat(c.isWrapperFor(driverConnection)).isTrue();
            assertThat(c.unwrap(driverConnection)).isInstanceOf(driverConnection);
            assertThat(c.unwrap(LagwiseConnection.class)).isSameAs(c);
            assertThat(Routed.serverId(c)).isEqualTo(OSLO);
            try (Statement s = c.createStatement()) {
                assertThat(s.getConnection()).isSameAs(c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void jpaStylePattern_readsAndWritesInOneMasterTransaction(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        // What Hibernate does: auto-commit off, select, insert, select, commit, give the connection back.
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            long id;
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement find = c.prepareStatement("SELECT COUNT(*) FROM routed WHERE v = ?")) {
                    find.setString(1, "jpa-" + driver);
                    find.executeQuery().close();
                }
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO routed (ran_on, v) VALUES (@@server_id, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ins.setString(1, "jpa-" + driver);
                    ins.executeUpdate();
                    try (ResultSet k = ins.getGeneratedKeys()) {
                        k.next();
                        id = k.getLong(1);
                    }
                }
                try (PreparedStatement read = c.prepareStatement("SELECT v FROM routed WHERE id = ?")) {
                    read.setLong(1, id);
                    try (ResultSet rs = read.executeQuery()) {
                        assertThat(rs.next()).as("the transaction sees its own insert: same server").isTrue();
                    }
                }
                c.commit();
            }
            assertThat(ranOn(topology, id)).isEqualTo(MASTER);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void preparedStatement_followsTheConnection_intoALaterTransaction(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT @@server_id, ?")) {
            ps.setInt(1, 7);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(OSLO);
            }
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("INSERT INTO routed (ran_on, v) VALUES (@@server_id, 'follow')");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("moved into the master transaction, parameter kept").isEqualTo(MASTER);
                assertThat(rs.getInt(2)).isEqualTo(7);
            }
            c.rollback();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void noLocalReplica_readsGoToTheRemoteOne_andNoReplica_toTheMaster(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.localRegion("frankfurt"));
                Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c)).isEqualTo(FRANKFURT);
        }
        try (LagwiseDataSource ds = LagwiseDataSource.builder().master(topology.master().jdbcUrl(driver))
                .username(topology.username()).password(topology.password()).build();
                Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c)).as("without replicas, reads go to the master").isEqualTo(MASTER);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void backupReplica_takesReadsOnlyWhenNoOtherCan(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = LagwiseDataSource.builder().master(topology.master().jdbcUrl(driver))
                .backupReplica(topology.node("oslo").jdbcUrl(driver), "oslo")
                .replica(topology.node("frankfurt").jdbcUrl(driver), "frankfurt")
                .username(topology.username()).password(topology.password()).localRegion("oslo").build();
                Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c)).as("a local backup is used before a remote replica").isEqualTo(OSLO);
        }
        try (LagwiseDataSource ds = LagwiseDataSource.builder().master(topology.master().jdbcUrl(driver))
                .backupReplica(topology.node("oslo").jdbcUrl(driver), "oslo")
                .replica(topology.node("frankfurt").jdbcUrl(driver), "oslo")
                .username(topology.username()).password(topology.password()).localRegion("oslo").build();
                Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c)).as("in one region, the non-backup replica wins").isEqualTo(FRANKFURT);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void statementSettings_madeBeforeTheFirstRun_areApplied_andFollowTheStatement(JdbcDriver driver,
            ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.setMaxRows(1);
            s.setQueryTimeout(7);
            assertThat(s.getMaxRows()).isEqualTo(1);
            try (ResultSet rs = s.executeQuery("SELECT 1 UNION SELECT 2 UNION SELECT 3")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.next()).as("maxRows applied on the replica's statement").isFalse();
            }
            s.executeUpdate("INSERT INTO routed (ran_on, v) VALUES (@@server_id, 'settings')");
            assertThat(s.getQueryTimeout()).as("and on the master's").isEqualTo(7);
        }
    }

    static int ranOn(ReplicationTopology topology, long id) throws SQLException {
        try (Connection m = topology.master().connect();
                PreparedStatement ps = m.prepareStatement("SELECT ran_on FROM routed WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row " + id + " on the master").isTrue();
                return rs.getInt(1);
            }
        }
    }
}
