package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.Health;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression tests for the ways real applications fell off the straight path (issue 13), on real
 * servers with replicas 40 ms behind, with both drivers. Master is server 1, oslo 2, frankfurt 3.
 * Each test reads right after a write, so a read that goes stale fails it.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class RoutingDefectsTest {

    static final int MASTER = 1;

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS defects (id BIGINT PRIMARY KEY, v VARCHAR(40))");
            s.execute("DROP PROCEDURE IF EXISTS defects_where");
            // READS SQL DATA: MySQL Connector/J runs a call on a read-only connection only for such a procedure
            s.execute("CREATE PROCEDURE defects_where(OUT sid INT) READS SQL DATA SELECT @@server_id INTO sid");
            s.execute("DROP PROCEDURE IF EXISTS defects_insert_and_commit");
            s.execute("CREATE PROCEDURE defects_insert_and_commit(IN k BIGINT) BEGIN INSERT INTO defects (id, v) VALUES (k, 'committed-in-call'); COMMIT; END");
            s.execute("DROP PROCEDURE IF EXISTS defects_value");
            s.execute("CREATE PROCEDURE defects_value(IN k BIGINT, OUT val VARCHAR(40)) READS SQL DATA SELECT v INTO val FROM defects WHERE id = k");
        }
        // A function that writes; binary logging accepts it only declared DETERMINISTIC.
        try (Connection c = topology.master().connectAdmin(); Statement s = c.createStatement()) {
            String db = topology.database();
            s.execute("DROP FUNCTION IF EXISTS " + db + ".defects_insert");
            s.execute("CREATE FUNCTION " + db + ".defects_insert(k BIGINT) RETURNS INT DETERMINISTIC MODIFIES SQL DATA BEGIN INSERT INTO " + db + ".defects (id, v) VALUES (k, 'by-function'); RETURN 1; END");
            s.execute("GRANT EXECUTE ON FUNCTION " + db + ".defects_insert TO '" + topology.username() + "'@'%'");
            s.execute("DROP FUNCTION IF EXISTS " + db + ".defects_signal");
            s.execute("CREATE FUNCTION " + db + ".defects_signal() RETURNS INT DETERMINISTIC NO SQL BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the function'; RETURN 1; END");
            s.execute("GRANT EXECUTE ON FUNCTION " + db + ".defects_signal TO '" + topology.username() + "'@'%'");

        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    static long ids = System.nanoTime() % 1_000_000_000L;

    static synchronized long nextId() {
        return ++ids;
    }

    static String value(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM defects WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static void insert(Connection c, long id, String v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO defects (id, v) VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, v);
            ps.executeUpdate();
        }
    }

    /** Defect 2: a write through an updatable result set, in a transaction, reaches the session's token. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void updatableResultSet_inATransaction_isReadBackFresh(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            for (int round = 0; round < 5; round++) {
                long id = nextId();
                try (Connection c = topology.master().connect()) {
                    insert(c, id, "old"); // outside Lagwise: the session's token knows nothing of it
                }
                topology.awaitReplication(Duration.ofSeconds(5));
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                            ResultSet rs = s.executeQuery("SELECT id, v FROM defects WHERE id = " + id)) {
                        assertThat(rs.next()).isTrue();
                        rs.updateString("v", "new-" + round);
                        rs.updateRow();
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    assertThat(value(c, id)).as("round %d", round).isEqualTo("new-" + round);
                }
            }
        }
    }

    /** Defect 2: in auto-commit, an updatable query goes to the master, so updateRow() works there. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void updatableResultSet_inAutoCommit_updatesOnTheMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        long id = nextId();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            insert(c, id, "old");
            topology.awaitReplication(Duration.ofSeconds(5));
            try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM defects WHERE id = ?",
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    rs.updateString("v", "new");
                    rs.updateRow();
                }
            }
            assertThat(value(c, id)).isEqualTo("new");
        }
    }

    /** Defect 3: session state inside a batch or an executable comment keeps the connection on the master. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void sessionStateInABatchOrAnExecutableComment_keepsTheConnectionOnTheMaster(JdbcDriver driver,
            ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.addBatch("CREATE TEMPORARY TABLE defects_tmp (id INT)");
                s.addBatch("INSERT INTO defects_tmp VALUES (7)");
                s.executeBatch();
                try (ResultSet rs = s.executeQuery("SELECT id FROM defects_tmp")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(7);
                }
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("/*!40103 SET TIME_ZONE='+03:00' */");
                try (ResultSet rs = s.executeQuery("SELECT @@session.time_zone, @@server_id")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("+03:00");
                    assertThat(rs.getInt(2)).isEqualTo(MASTER);
                }
            }
        }
    }

    /** Defect 3: {@code SET STATEMENT … FOR SELECT} is a one-statement setting: a read, no pin. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void setStatementFor_isARead_andDoesNotPin(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            try (Statement s = c.createStatement()) {
                // execute(): MySQL Connector/J refuses executeQuery() for a text that starts with SET.
                // MySQL has no SET STATEMENT … FOR: its per-statement setting is an optimizer hint.
                assertThat(s.execute(Routed.mysql(topology) ? "SELECT /*+ SET_VAR(max_execution_time=10000) */ @@server_id"
                        : "SET STATEMENT max_statement_time=10 FOR SELECT @@server_id")).isTrue();
                try (ResultSet rs = s.getResultSet()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isNotEqualTo(MASTER);
                }
            }
            assertThat(c.unwrap(LagwiseConnection.class).usesMaster()).isFalse();
            assertThat(Routed.serverId(c)).isNotEqualTo(MASTER);
        }
    }

    /** Defect 4: a named lock in a read-only transaction is taken on the master, or refused. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void sessionStateInAReadOnlyTransaction_runsOnTheMasterOrIsRefused(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                c.setAutoCommit(false);
                assertThat(Routed.serverId(c, "SELECT GET_LOCK('defects-lock', 1) + @@server_id - 1")).isEqualTo(MASTER);
                assertThat(c.unwrap(LagwiseConnection.class).currentServer()).startsWith("master");
                assertThatThrownBy(() -> Routed.serverId(c, "DELETE FROM defects WHERE id = -1"))
                        .isInstanceOf(SQLException.class);
                c.rollback();
            }
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                c.setAutoCommit(false);
                assertThat(Routed.serverId(c)).isNotEqualTo(MASTER);
                assertThatThrownBy(() -> Routed.serverId(c, "SELECT GET_LOCK('defects-lock-2', 1)"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("session state (SET, a user variable, a temporary table, GET_LOCK) inside a read-only transaction that already runs on a replica");
                c.rollback();
            }
        }
    }

    /** Defect 5: a read that is merely slow on a healthy replica runs once, not on every node. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aSlowReadOnAHealthyReplica_isNotRunAgainElsewhere(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.replicaReadTimeout(Duration.ofSeconds(1)));
                Connection c = ds.getConnection()) {
            long before = total(ds);
            long start = System.nanoTime();
            assertThatThrownBy(() -> Routed.serverId(c, "SELECT SLEEP(3) + @@server_id"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("a read ran longer than the replica read timeout while the server kept answering");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).as("one run of about the read timeout, not one per node").isLessThan(2500);
            assertThat(total(ds) - before).as("executions counted").isEqualTo(1);
            assertThat(ds.cluster().replicas()).allSatisfy(n -> assertThat(n.health()).isEqualTo(Health.UP));
            assertThat(Routed.serverId(c)).as("the connection goes on").isNotEqualTo(MASTER);
        }
    }

    static long total(LagwiseDataSource ds) {
        return ds.routingStats().statements().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Defect 6: a write stays in the token when the master connection breaks before its position is read. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aWriteStaysInTheToken_whenTheMasterConnectionBreaks(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        // Replicas 1.5 s behind (still under the maximum lag): a read that lost the write reads stale.
        for (var replica : topology.replicas()) {
            replica.replicationDelay(Duration.ofMillis(1500));
        }
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver,
                b -> b.readYourWritesMaxWait(Duration.ofMillis(300)).maxReplicationLag(Duration.ofSeconds(10)))) {
            for (int round = 0; round < 3; round++) {
                long id = nextId();
                try (Connection c = ds.getConnection()) {
                    insert(c, id, "written");
                    killApplicationConnections(topology);
                    String lock = "SELECT v FROM defects WHERE id = " + id + " FOR UPDATE";
                    assertThatThrownBy(() -> Routed.serverId(c, lock)).isInstanceOf(SQLException.class);
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(lock)) {
                        assertThat(rs.next()).isTrue(); // a new master connection
                    }
                    assertThat(value(c, id)).as("round %d: read right after, from a replica 40 ms behind", round).isEqualTo("written");
                }
            }
        }
    }

    static void killApplicationConnections(ReplicationTopology topology) throws SQLException {
        try (Connection admin = topology.master().connectAdmin(); Statement s = admin.createStatement()) {
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + topology.username() + "'")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) {
                try {
                    s.execute("KILL CONNECTION " + id);
                } catch (SQLException gone) {
                    // it ended by itself
                }
            }
        }
    }

    /** Defect 7: DDL in a transaction commits it; a rollback afterwards does not take those writes out of the token. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void anImplicitCommit_countsAsACommit(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            for (int round = 0; round < 3; round++) {
                long id = nextId();
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    insert(c, id, "committed-by-ddl");
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE TABLE IF NOT EXISTS defects_ddl_" + driver.name().toLowerCase() + " (id INT)");
                    }
                    c.rollback();
                    c.setAutoCommit(true);
                    assertThat(value(c, id)).as("round %d", round).isEqualTo("committed-by-ddl");
                }
            }
        }
    }

    /** Defect 8: a call prepared on a read-only auto-commit connection runs after the session wrote. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aCallOnAReadOnlyConnection_runsAfterTheSessionWrote(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMaxWait(Duration.ZERO))) {
            try (Connection w = ds.getConnection()) {
                insert(w, nextId(), "before-the-call");
            }
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                try (CallableStatement cs = c.prepareCall("{call defects_where(?)}")) {
                    cs.registerOutParameter(1, Types.INTEGER);
                    cs.execute();
                    assertThat(cs.getInt(1)).as("the write is 40 ms from the replicas: the master answers").isEqualTo(MASTER);
                }
            }
        }
    }

    /** Defect 9: a read whose answer depends on the server goes to the master. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void serverDependentReads_goToTheMaster(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            String position = Routed.mysql(topology) ? "gtid_executed" : "gtid_binlog_pos"; // each server's own
            assertThat(Routed.serverId(c, "SELECT @@server_id, @@" + position)).isEqualTo(MASTER);
            assertThat(Routed.serverId(c, "SELECT @@server_id, @@read_only")).isEqualTo(MASTER);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                assertThat(rs.next()).as("only the master has a binary log position here").isTrue();
            }
            assertThat(Routed.serverId(c)).as("plain reads still go to replicas").isNotEqualTo(MASTER);
        }
    }

    /** Defect 11: a null SQL text is an SQLException, not a NullPointerException. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void nullSql_isAnSqlException(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(null)).isInstanceOf(SQLException.class).hasMessage("test-" + driver.name().toLowerCase() + ": the SQL text is null");
            assertThatThrownBy(() -> s.execute(null)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.addBatch(null)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> c.prepareStatement(null)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> c.prepareCall(null)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> c.nativeSQL(null)).isInstanceOf(SQLException.class);
        }
    }

    /** Review: a read-only transaction opened by a prepared read right after the session wrote. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aReadOnlyTransactionOpenedByAPreparedRead_readsTheSessionsWrite(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            for (int round = 0; round < 10; round++) {
                long id = nextId();
                try (Connection w = ds.getConnection()) {
                    insert(w, id, "fresh");
                }
                try (Connection c = ds.getConnection()) {
                    c.setReadOnly(true);
                    c.setAutoCommit(false);
                    assertThat(value(c, id)).as("round %d", round).isEqualTo("fresh");
                    c.commit();
                }
            }
        }
    }

    /** Review: a call prepared before the session's write and run after it never answers stale. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aCallPreparedBeforeTheSessionWrote_answersFreshOrFailsClearly(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMaxWait(Duration.ZERO))) {
            for (int round = 0; round < 5; round++) {
                long id = nextId();
                try (Connection c = ds.getConnection()) {
                    c.setReadOnly(true);
                    Routed.serverId(c); // the connection now holds a replica
                    try (CallableStatement cs = c.prepareCall("{call defects_value(?, ?)}")) {
                        try (Connection w = ds.getConnection()) {
                            insert(w, id, "fresh");
                        }
                        cs.setLong(1, id);
                        cs.registerOutParameter(2, Types.VARCHAR);
                        try {
                            cs.execute();
                            assertThat(cs.getString(2)).as("round %d", round).isEqualTo("fresh");
                        } catch (SQLException e) {
                            assertThat(e.getSQLState()).isEqualTo("0A000");
                            assertThat(e.getMessage()).contains("has not applied the session's newest write in time, and a call cannot move");
                        }
                    }
                }
            }
        }
    }

    /** Review: {@code SET TRANSACTION} in auto-commit shapes the master session, not a pooled replica one. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void setTransactionInAutoCommit_runsOnTheMaster_andKeepsTheConnectionThere(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            assertThat(c.unwrap(LagwiseConnection.class).usesMaster()).isTrue();
            assertThat(Routed.serverId(c)).isEqualTo(MASTER);
        }
    }

    /** Review: a {@code COMMIT} in SQL inside a JDBC transaction counts as a commit. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void anSqlCommit_countsAsACommit(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            for (int round = 0; round < 5; round++) {
                long id = nextId();
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    insert(c, id, "committed-in-sql");
                    try (Statement s = c.createStatement()) {
                        s.execute("COMMIT");
                    }
                    c.rollback();
                }
                try (Connection c = ds.getConnection()) {
                    assertThat(value(c, id)).as("round %d", round).isEqualTo("committed-in-sql");
                }
            }
        }
    }

    /** Review: under {@code useMaster()} a stored function that writes is captured, as with the hint. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void useMaster_writesThroughAFunction_reachTheToken(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            for (int round = 0; round < 5; round++) {
                long id = nextId();
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    c.unwrap(LagwiseConnection.class).useMaster();
                    try (ResultSet rs = s.executeQuery("SELECT defects_insert(" + id + ")")) {
                        rs.next();
                    }
                }
                try (Connection c = ds.getConnection()) {
                    assertThat(value(c, id)).as("round %d", round).isEqualTo("by-function");
                }
            }
        }
    }

    /** Review: {@code SET autocommit = 0} in SQL, then {@code commit()}, commits; the pool gets the connection back clean. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void anSqlTransaction_isCommittedByCommit_andNotLeftInThePool(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        long id = nextId();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.pool(p -> p.maximumPoolSize(1)))) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET autocommit = 0");
                insert(c, id, "sql-transaction");
                c.commit();
            }
            try (Connection raw = topology.master().connect()) {
                assertThat(value(raw, id)).as("committed, seen from outside").isEqualTo("sql-transaction");
            }
            long other = nextId();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET autocommit = 0");
                insert(c, other, "left-open");
            } // closed with the SQL transaction open: rolled back, and the pool's connection is clean
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                c.unwrap(LagwiseConnection.class).useMaster();
                try (ResultSet rs = s.executeQuery("SELECT @@autocommit")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the next borrower's session").isEqualTo(1);
                }
            }
            try (Connection raw = topology.master().connect()) {
                assertThat(value(raw, other)).isNull();
            }
        }
    }

    /** Review: a comment between a function and its parenthesis hides nothing. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aNamedLockWithACommentBeforeItsParenthesis_isTakenOnTheMaster(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c, "SELECT GET_LOCK/**/('defects-comment-lock', 1) + @@server_id - 1")).isEqualTo(MASTER);
            assertThat(c.unwrap(LagwiseConnection.class).usesMaster()).isTrue();
        }
    }

    /** Review: abort(null) is refused before anything is closed; nothing leaks. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void abortWithoutAnExecutor_isRefused_andLeaksNothing(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            try (Connection c = ds.getConnection()) {
                insert(c, nextId(), "x");
                Routed.serverId(c);
                assertThatThrownBy(() -> c.abort(null)).isInstanceOf(SQLException.class).hasMessageContaining("abort needs an executor");
                assertThat(c.isClosed()).isFalse();
            }
            assertThat(ds.cluster().nodes()).allSatisfy(n -> assertThat(n.poolActive()).as(n.name()).isZero());
        }
    }

    /** Review: after the transaction was lost, a savepoint rollback says so. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void rollbackToASavepoint_afterTheTransactionWasLost_saysItWasLost(JdbcDriver driver, ReplicationTopology topology)
            throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            insert(c, nextId(), "x");
            java.sql.Savepoint sp = c.setSavepoint();
            killApplicationConnections(topology);
            assertThatThrownBy(() -> insert(c, nextId(), "y")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> c.rollback(sp)).isInstanceOf(java.sql.SQLTransactionRollbackException.class)
                    .hasMessageContaining("the transaction was lost with the connection to master");
            c.rollback();
        }
    }

    /** Review 2: a signalled error (MariaDB Connector/J's catch-all connection type) is the statement's own. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aSignalledError_isThrownOnce_andNeitherMarksANodeDownNorLosesTheTransaction(JdbcDriver driver,
            ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            try (Connection c = ds.getConnection()) {
                long before = total(ds);
                assertThatThrownBy(() -> Routed.serverId(c, "SELECT defects_signal()")).isInstanceOf(SQLException.class)
                        .hasMessageContaining("refused by the function");
                assertThat(total(ds) - before).as("run once").isEqualTo(1);
                assertThat(ds.cluster().replicas()).allSatisfy(n -> assertThat(n.health()).isEqualTo(Health.UP));
            }
            long id = nextId();
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                insert(c, id, "kept");
                assertThatThrownBy(() -> Routed.serverId(c, "SELECT defects_signal()")).isInstanceOf(SQLException.class);
                insert(c, nextId(), "after-the-error");
                c.commit();
            }
            try (Connection raw = topology.master().connect()) {
                assertThat(value(raw, id)).as("the transaction went on and committed").isEqualTo("kept");
            }
        }
    }

    /** Review 2: a transaction opened with BEGIN in SQL and left open does not reach the pool's next borrower. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aTransactionBegunInSql_andLeftOpen_isRolledBackBeforeThePoolGetsTheConnection(JdbcDriver driver,
            ReplicationTopology topology) throws SQLException {
        long id = nextId();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.pool(p -> p.maximumPoolSize(1)))) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("BEGIN");
                insert(c, id, "left-open");
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                c.unwrap(LagwiseConnection.class).useMaster();
                if (!Routed.mysql(topology)) { // MySQL has no @@in_transaction; the row check below says it too
                    try (ResultSet rs = s.executeQuery("SELECT @@in_transaction")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("the next borrower's session").isZero();
                    }
                }
                assertThat(value(c, id)).as("one server connection: an open transaction would show its own row").isNull();
            }
        }
    }

    /** Review 2: a procedure that commits inside a JDBC transaction counts as a commit. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aCallThatCommits_countsAsACommit(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            for (int round = 0; round < 3; round++) {
                long id = nextId();
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try (CallableStatement cs = c.prepareCall("{call defects_insert_and_commit(?)}")) {
                        cs.setLong(1, id);
                        cs.execute();
                    }
                    c.rollback();
                    c.setAutoCommit(true);
                    assertThat(value(c, id)).as("round %d", round).isEqualTo("committed-in-call");
                }
            }
        }
    }

    /** Review 2: a replica the connection holds stops getting its reads once the monitor disqualifies it. */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aHeldReplicaThatStopsReplicating_getsNoMoreReadsFromTheConnection(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            int first = Routed.serverId(c);
            assertThat(first).isEqualTo(2);
            topology.node("oslo").stopSqlThread();
            String oslo = topology.node("oslo").host() + ":" + topology.node("oslo").port();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (ds.cluster().node(oslo).health() == Health.UP && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // Said apart: a monitor that missed the stopped thread, or routing that kept the replica anyway.
            assertThat(ds.cluster().node(oslo).health()).as("the monitor's word on %s within 5 s: %s", oslo,
                    ds.cluster().node(oslo)).isEqualTo(Health.REPLICATION_STOPPED);
            assertThat(Routed.serverId(c)).as("the same connection reads elsewhere now").isNotEqualTo(2);
        }
    }
}
