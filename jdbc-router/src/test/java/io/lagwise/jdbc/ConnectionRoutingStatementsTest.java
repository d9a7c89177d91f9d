package io.lagwise.jdbc;

import static io.lagwise.jdbc.FakeCluster.query;
import static io.lagwise.jdbc.FakeCluster.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The three statement classes against fake servers: batches routed by their strongest statement,
 * updatable result sets, prepared reads that move between servers with their parameters, and calls
 * that never move.
 */
class ConnectionRoutingStatementsTest {

    FakeCluster fakes = new FakeCluster();

    @AfterEach
    void close() throws SQLException {
        fakes.close();
    }

    /** A cluster whose reads never wait for a replica: after a write, they go to the master. */
    void noWait() throws SQLException {
        fakes.close();
        fakes = new FakeCluster(2, ReadFallback.MASTER, Duration.ZERO);
    }

    // ---- Batches --------------------------------------------------------------------------------

    @Test
    void aBatchWithSessionState_runsOnTheMaster_andKeepsTheConnectionThere() throws SQLException {
        RoutingConnection c = fakes.connect();
        try (Statement s = c.createStatement()) {
            s.addBatch("SET time_zone = '+00:00'");
            s.addBatch("INSERT INTO t VALUES (1)");
            assertThat(s.executeBatch()).containsExactly(1, 1);
        }

        assertThat(c.usesMaster()).isTrue();
        query(c, "SELECT * FROM t");
        assertThat(fakes.ran()).containsExactly("master: SET time_zone = '+00:00'", "master: INSERT INTO t VALUES (1)",
                "master: SELECT * FROM t");
        assertThat(fakes.master.executed()).extracting(FakeServer.Executed::connection).containsOnly(
                fakes.master.executed().get(0).connection());
    }

    @Test
    void aBatchOfReads_runsOnAReplica() throws SQLException {
        RoutingConnection c = fakes.connect();
        try (Statement s = c.createStatement()) {
            s.addBatch("SELECT 1");
            s.addBatch("SELECT 2");
            assertThat(s.executeLargeBatch()).containsExactly(1L, 1L);
            assertThat(s.executeBatch()).as("a batch is cleared when it runs").isEmpty();
        }

        assertThat(c.usesMaster()).isFalse();
        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT 1", "oslo-1: SELECT 2");
    }

    // ---- Updatable result sets -----------------------------------------------------------------

    @Test
    void updatableResultSets_runTheirQueryOnTheMaster_inAutoCommit() throws SQLException {
        RoutingConnection c = fakes.connect();
        try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                ResultSet rs = s.executeQuery("SELECT id, v FROM t")) {
            assertThat(rs.next()).isTrue();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM t WHERE id = ?", ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_UPDATABLE)) {
            ps.setLong(1, 1L);
            ps.executeQuery().close();
        }

        assertThat(fakes.ran()).containsExactly("master: SELECT id, v FROM t", "master: SELECT id, v FROM t WHERE id = ?");
        assertThat(fakes.routed(RouteReason.WRITE)).as("they may write through updateRow").isEqualTo(2);
    }

    @Test
    void updatableResultSets_onAReadOnlyConnection_stayReadsOnAReplica() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setReadOnly(true);
        try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE)) {
            s.executeQuery("SELECT id, v FROM t").close();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM t WHERE id = ?", ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_UPDATABLE)) {
            ps.setLong(1, 1L);
            ps.executeQuery().close();
        }

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT id, v FROM t", "oslo-1: SELECT id, v FROM t WHERE id = ?");
    }

    // ---- Prepared reads that move ----------------------------------------------------------------

    @Test
    void aPreparedRead_executedAfterAWriteThatNeedsTheMaster_isPreparedAgainThere_withTheSameParameters()
            throws SQLException {
        noWait();
        RoutingConnection c = fakes.connect();
        String sql = "SELECT * FROM t WHERE at > ? AND amount = ? AND id = ?";
        PreparedStatement ps = c.prepareStatement(sql);
        assertThat(fakes.replica(1).calls()).extracting(FakeServer.Call::text).filteredOn(t -> t.startsWith("prepare"))
                .containsExactly("prepareStatement(" + sql + ")");
        Timestamp at = Timestamp.valueOf("2024-05-01 12:00:00");
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        ps.setTimestamp(1, at, utc);
        ps.setObject(2, new BigDecimal("12.50"), Types.DECIMAL);
        ps.setInt(3, 7);
        utc.setTimeZone(TimeZone.getTimeZone("Europe/Oslo")); // the caller's calendar changes afterwards

        update(c, "INSERT INTO t VALUES (1)");
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "master: " + sql);
        Calendar asGiven = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        asGiven.setTimeInMillis(utc.getTimeInMillis());
        assertThat(fakes.master.executed(sql).get(0).parameters())
                .containsEntry(1, List.of("setTimestamp", at, asGiven))
                .containsEntry(2, List.of("setObject", new BigDecimal("12.50"), Types.DECIMAL))
                .containsEntry(3, List.of("setInt", 7))
                .hasSize(3);
        assertThat(fakes.cluster.stats().readYourWritesFallbacks()).isEqualTo(1);
    }

    @Test
    void aPreparedRead_holdingAStream_cannotMove_andSaysWhy() throws SQLException {
        noWait();
        RoutingConnection c = fakes.connect();
        String sql = "SELECT * FROM t WHERE data = ?";
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setBinaryStream(1, new ByteArrayInputStream(new byte[] {1, 2, 3}));
        update(c, "INSERT INTO t VALUES (1)");

        assertThatThrownBy(ps::executeQuery)
                .isInstanceOf(SQLException.class)
                .hasFieldOrPropertyWithValue("SQLState", "0A000")
                .hasMessageStartingWith("test: this statement was prepared on replica oslo-1:3306 (oslo) and must now"
                        + " run on master master:3306, but it holds a stream or LOB parameter that cannot be moved");

        assertThat(fakes.master.count(sql)).isZero();
        assertThat(fakes.replica(1).count(sql)).isZero();
    }

    @Test
    void aPreparedWrite_whoseMasterConnectionBroke_failsSayingSo_ratherThanMoveWithoutItsParameters() throws SQLException {
        RoutingConnection c = fakes.connect();
        PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)");
        ps.setInt(1, 1);
        ps.executeUpdate();
        fakes.master.failNext("SELECT * FROM t FOR UPDATE", FakeServer.linkFailure());
        assertThatThrownBy(() -> query(c, "SELECT * FROM t FOR UPDATE")).isInstanceOf(SQLException.class);

        assertThatThrownBy(ps::executeUpdate)
                .isInstanceOf(SQLException.class)
                .hasFieldOrPropertyWithValue("SQLState", "08003")
                .hasMessage("test: the connection this statement was prepared on (master master:3306) broke; prepare the"
                        + " statement again");

        assertThat(fakes.master.count("INSERT")).isEqualTo(1);
    }

    // ---- Calls ----------------------------------------------------------------------------------

    @Test
    void aCall_onAReadOnlyAutoCommitConnection_afterTheSessionWrote_runsWhereItWasPrepared() throws SQLException {
        noWait();
        try (RoutingConnection writer = fakes.connect()) {
            update(writer, "INSERT INTO t VALUES (1)");
        }
        RoutingConnection c = fakes.connect();
        c.setReadOnly(true);

        try (CallableStatement cs = c.prepareCall("{call where_am_i(?)}")) {
            cs.registerOutParameter(1, Types.INTEGER);
            cs.execute();
            assertThat(cs.getInt(1)).as("the master's server id").isEqualTo(1);
        }

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@gtid_binlog_pos",
                "master: {call where_am_i(?)}");
    }

    @Test
    void aCall_preparedOnAReadOnlyConnection_thenRunReadWrite_failsInsteadOfMoving() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setReadOnly(true);
        CallableStatement cs = c.prepareCall("{call p()}");
        c.setReadOnly(false);

        assertThatThrownBy(cs::execute)
                .isInstanceOf(SQLException.class)
                .hasFieldOrPropertyWithValue("SQLState", "25000")
                .hasMessage("test: this call was prepared on replica oslo-1:3306 (oslo) but its connection now routes it"
                        + " to master master:3306 (a transaction started, read-only changed, or its connection broke); prepare the call"
                        + " inside the transaction it belongs to");

        assertThat(fakes.ran()).isEmpty();
    }

    @Test
    void aCall_whoseReplicaConnectionBroke_failsSayingSo() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setConsistency(io.lagwise.core.Consistency.EVENTUAL);
        c.setReadOnly(true);
        CallableStatement cs = c.prepareCall("{call p()}");
        fakes.replica(1).failNext(FakeServer.linkFailure());
        query(c, "SELECT * FROM t"); // fails on oslo-1, runs again on oslo-2

        assertThatThrownBy(cs::execute)
                .isInstanceOf(SQLException.class)
                .hasFieldOrPropertyWithValue("SQLState", "08003")
                .hasMessage("test: the connection this call was prepared on (replica oslo-1:3306 (oslo)) broke; prepare"
                        + " the call again");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t");
    }
}
