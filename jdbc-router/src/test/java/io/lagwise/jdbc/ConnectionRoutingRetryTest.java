package io.lagwise.jdbc;

import static io.lagwise.jdbc.FakeCluster.query;
import static io.lagwise.jdbc.FakeCluster.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.Consistency;
import io.lagwise.core.Health;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The execute/retry loop of {@link ConnectionRouting} against fake servers: what runs again after a
 * failure, where, how many times, and what the application is told. A write never runs twice; a read
 * that failed on a replica before any result came back runs once on each other node; a merely slow
 * read, or a read inside a transaction that already ran there, does not.
 */
class ConnectionRoutingRetryTest {

    FakeCluster fakes = new FakeCluster();

    /**
     * A connection whose reads need no read-your-writes checks: a read that moves to another replica
     * then runs there at once, so these tests see the retry alone. (With read-your-writes, a move
     * first learns the master's position: {@link #aReadYourWritesRead_movingToAnotherReplica_firstLearnsTheMastersPosition}.)
     */
    RoutingConnection eventual() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setConsistency(Consistency.EVENTUAL);
        return c;
    }

    @AfterEach
    void close() throws SQLException {
        fakes.close();
    }

    // ---- Writes ---------------------------------------------------------------------------------

    @Test
    void aWrite_failingWithAConnectionError_runsOnceOnTheMaster_andSaysTheConnectionWasLost() throws SQLException {
        Connection c = fakes.connect();
        fakes.master.failNext("INSERT", FakeServer.linkFailure());

        assertThatThrownBy(() -> update(c, "INSERT INTO t VALUES (1)"))
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: lost the connection to master master:3306: Communications link failure")
                .hasFieldOrPropertyWithValue("SQLState", "08S01");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)");
        assertThat(fakes.masterNode.isDown()).as("one broken connection does not take the master down").isFalse();
        update(c, "INSERT INTO t VALUES (2)");
        assertThat(fakes.master.executed("INSERT")).extracting(FakeServer.Executed::connection)
                .as("the next write borrows a new server connection").doesNotHaveDuplicates();
    }

    @Test
    void aPreparedWrite_failingWithAConnectionResetOfTheDriversOwnType_isNotRetriedEither() throws SQLException {
        Connection c = fakes.connect();
        PreparedStatement ps = c.prepareStatement("UPDATE t SET v = ? WHERE id = 1");
        ps.setString(1, "x");
        fakes.master.failNext(FakeServer.connectionReset());

        assertThatThrownBy(ps::executeUpdate)
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: lost the connection to master master:3306: (conn=7) Connection reset");

        assertThat(fakes.ran()).containsExactly("master: UPDATE t SET v = ? WHERE id = 1");
        assertThat(fakes.routed(RouteReason.WRITE)).isEqualTo(1);
    }

    @Test
    void aWrite_failingWithItsOwnSqlError_isThrownUnchanged_andKeepsItsServerConnection() throws SQLException {
        Connection c = fakes.connect();
        SQLException duplicate = FakeServer.duplicateKey();
        fakes.master.failNext("INSERT", duplicate);

        assertThatThrownBy(() -> update(c, "INSERT INTO t VALUES (1)")).isSameAs(duplicate);
        update(c, "INSERT INTO t VALUES (2)");

        assertThat(fakes.master.executed("INSERT")).extracting(FakeServer.Executed::connection)
                .as("the same server connection").containsExactly(1, 1);
    }

    @Test
    void aWrite_whenTheMasterRefusesConnections_failsNamingIt_thenFailsFastUntilItsRetryIsDue() throws SQLException {
        Connection c = fakes.connect();
        fakes.master.refuseConnections = true;

        assertThatThrownBy(() -> update(c, "INSERT INTO t VALUES (1)"))
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessage("test: cannot reach master master:3306: Connection refused");
        assertThatThrownBy(() -> update(c, "INSERT INTO t VALUES (1)"))
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessage("test: master master:3306 is down (for 0 ms: Connection refused); writes, and reads that"
                        + " fall back to it, fail until it answers again");
        assertThat(fakes.master.connectionsOpened()).isZero();

        fakes.master.refuseConnections = false;
        fakes.ticker.advance(Duration.ofSeconds(1)); // the first retry is due
        update(c, "INSERT INTO t VALUES (1)");

        assertThat(fakes.masterNode.isDown()).isFalse();
        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)");
    }

    // ---- Reads ----------------------------------------------------------------------------------

    @Test
    void aRead_failingWithConnectionErrors_runsOnceOnEachReplica_thenOnTheMaster() throws SQLException {
        fakes.close();
        fakes = new FakeCluster(3, ReadFallback.MASTER, Duration.ofMillis(50));
        Connection c = eventual();
        fakes.replica(1).failNext("SELECT * FROM t", FakeServer.linkFailure());
        fakes.replica(2).failNext("SELECT * FROM t", FakeServer.connectionReset());
        fakes.replica(3).failNext("SELECT * FROM t", FakeServer.linkFailure());

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t",
                "oslo-3: SELECT * FROM t", "master: SELECT * FROM t");
        assertThat(fakes.replicaNodes).allSatisfy(n -> assertThat(n.isDown()).as(n.label()).isTrue());
        assertThat(fakes.routed(RouteReason.REPLICA)).as("one count per attempt").isEqualTo(3);
        assertThat(fakes.routed(RouteReason.NO_REPLICA)).isEqualTo(1);
    }

    @Test
    void aRead_thatFailsOnOneReplica_runsOnTheNext_andTheConnectionStaysThere() throws SQLException {
        Connection c = eventual();
        fakes.replica(1).failNext(FakeServer.linkFailure());

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");
        assertThat(query(c, "SELECT * FROM u")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t",
                "oslo-2: SELECT * FROM u");
        assertThat(fakes.replicaNode(1).isDown()).isTrue();
        assertThat(fakes.replicaNode(2).isDown()).isFalse();
    }

    @Test
    void aReadYourWritesRead_movingToAnotherReplica_firstLearnsTheMastersPosition() throws SQLException {
        Connection c = fakes.connect(); // READ_YOUR_WRITES, the cluster's default
        fakes.replica(1).failNext(FakeServer.linkFailure());

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        // Monotonic reads: oslo-2 must be at least as far along as anything read on oslo-1, which is
        // at most what the master has now.
        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "master: SELECT @@gtid_binlog_pos",
                "oslo-2: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-2: SELECT * FROM t");
        assertThat(fakes.replica(2).executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .containsEntry(1, List.of("setString", "0-1-7"));
        assertThat(fakes.routed(RouteReason.REPLICA_AFTER_WAIT)).isEqualTo(1);
    }

    @Test
    void aPreparedRead_isPreparedAgainOnTheNextReplica_withItsParameters() throws SQLException {
        Connection c = eventual();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE id = ? AND v = ?");
        ps.setLong(1, 42L);
        ps.setString(2, "x");
        ps.setFetchSize(100);
        fakes.replica(1).failNext(FakeServer.linkFailure());

        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t WHERE id = ? AND v = ?",
                "oslo-2: SELECT * FROM t WHERE id = ? AND v = ?");
        assertThat(fakes.replica(2).executed().get(0).parameters())
                .isEqualTo(fakes.replica(1).executed().get(0).parameters())
                .containsEntry(1, List.of("setLong", 42L)).containsEntry(2, List.of("setString", "x"));
    }

    @Test
    void aRead_withReadFallbackFail_failsOnceEveryReplicaFailed_sayingNoReplicaCouldServe() throws SQLException {
        fakes.close();
        fakes = new FakeCluster(2, ReadFallback.FAIL, Duration.ofMillis(50));
        Connection c = eventual();
        fakes.replica(1).failNext(FakeServer.linkFailure());
        fakes.replica(2).failNext(FakeServer.linkFailure());

        assertThatThrownBy(() -> query(c, "SELECT * FROM t"))
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessage("test: no replica could serve the read (replicas=2, up=0, saturated=0) and readFallback is FAIL")
                .hasFieldOrPropertyWithValue("SQLState", "08001")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("Communications link failure"));

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t");
    }

    @Test
    void aRead_failingWithItsOwnSqlError_isNotRetried_andTheReplicaStaysUp() throws SQLException {
        Connection c = eventual();
        SQLException noTable = new SQLSyntaxErrorException("Table 'app.t' doesn't exist", "42S02", 1146);
        fakes.replica(1).failNext(noTable);

        assertThatThrownBy(() -> query(c, "SELECT * FROM t")).isSameAs(noTable);

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t");
        assertThat(fakes.replicaNode(1).isDown()).isFalse();
    }

    @Test
    void aReplica_thatRefusesConnections_isMarkedDown_andTheReadGoesToTheNext() throws SQLException {
        Connection c = eventual();
        fakes.replica(1).refuseConnections = true;

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-2: SELECT * FROM t");
        assertThat(fakes.replicaNode(1).isDown()).isTrue();
        assertThat(fakes.replicaNode(1).downReason()).isEqualTo("Connection refused");
    }

    @Test
    void aReplica_thatRefusesNewSessions_withANonConnectionState_isSkipped_andMarkedDown() throws SQLException {
        Connection c = eventual();
        fakes.replica(1).refuseWith = new java.sql.SQLSyntaxErrorException("User 'app' has exceeded the 'max_user_connections' resource", "42000", 1226);

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-2: SELECT * FROM t");
        assertThat(fakes.replicaNode(1).isDown()).isTrue();
    }

    // ---- Timeouts: slow or dead? ----------------------------------------------------------------

    @Test
    void aRead_thatTimesOut_whileTheReplicaKeepsAnsweringTheMonitor_isNotRetried_norTheReplicaMarkedDown()
            throws SQLException {
        Connection c = eventual();
        Node oslo1 = fakes.replicaNode(1);
        fakes.replica(1).failNext("SELECT", FakeServer.socketTimeout(), () -> {
            fakes.ticker.advance(Duration.ofSeconds(2)); // the read runs past its timeout...
            oslo1.answeredAt = fakes.ticker.read() - Duration.ofMillis(300).toNanos(); // ...while the probe got answers
        });

        assertThatThrownBy(() -> query(c, "SELECT SLEEP(3)"))
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: a read ran longer than the replica read timeout while the server kept answering;"
                        + " it is not run again elsewhere (raise replicaReadTimeout, or set a socketTimeout in the"
                        + " replica's URL): replica oslo-1:3306 (oslo): Read timed out");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT SLEEP(3)");
        assertThat(oslo1.isDown()).isFalse();
        assertThat(query(c, "SELECT 1")).isEqualTo("1");
        assertThat(fakes.replica(1).executed()).extracting(FakeServer.Executed::connection)
                .as("the read goes on on the same replica, on a new server connection").doesNotHaveDuplicates()
                .hasSize(2);
    }

    @Test
    void aRead_thatTimesOut_onAReplicaTheMonitorNoLongerHears_isRetriedElsewhere_andTheReplicaMarkedDown()
            throws SQLException {
        Connection c = eventual();
        Node oslo1 = fakes.replicaNode(1);
        oslo1.answeredAt = fakes.ticker.read() - Duration.ofMillis(100).toNanos(); // the last answer came before the read
        fakes.replica(1).failNext("SELECT", FakeServer.socketTimeout(), () -> fakes.ticker.advance(Duration.ofSeconds(2)));

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t");
        assertThat(oslo1.isDown()).isTrue();
        assertThat(oslo1.downReason()).isEqualTo("Read timed out");
    }

    @Test
    void aHeldReplica_theMonitorDisqualifies_getsNoMoreReads_andGoesBackToItsPoolAtClose() throws SQLException {
        Connection c = eventual();
        assertThat(query(c, "SELECT 1")).isEqualTo("1");
        fakes.replicaNode(1).health = io.lagwise.core.Health.REPLICATION_STOPPED;
        assertThat(query(c, "SELECT 2")).isEqualTo("1");
        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT 1", "oslo-2: SELECT 2");
        c.close(); // the fake cluster checks at the end that every server connection went back
    }

    @Test
    void flappingReplicas_doNotPileUpRetiredConnections() throws SQLException {
        Connection c = eventual();
        for (int flap = 0; flap < 6; flap++) {
            query(c, "SELECT " + flap);
            Node held = fakes.replicaNode(flap % 2 == 0 ? 1 : 2);
            Node other = fakes.replicaNode(flap % 2 == 0 ? 2 : 1);
            other.health = io.lagwise.core.Health.UP;
            held.health = io.lagwise.core.Health.LAGGING;
        }
        query(c, "SELECT 6");
        assertThat(fakes.replicaNode(1).inFlight() + fakes.replicaNode(2).inFlight())
                .as("the held connection and at most one retired").isLessThanOrEqualTo(2);
        c.close();
    }

    @Test
    void aMariaDbStatementErrorOfTheCatchAllConnectionType_isNotALostConnection() throws SQLException {
        Connection c = eventual();
        fakes.replica(1).failNext("SELECT", new java.sql.SQLTransientConnectionException("(conn=3) signalled", "45000", 1644));
        assertThatThrownBy(() -> query(c, "SELECT f()")).isInstanceOf(java.sql.SQLTransientConnectionException.class)
                .hasMessage("(conn=3) signalled");
        assertThat(fakes.ran()).as("run once, not on every node").containsExactly("oslo-1: SELECT f()");
        assertThat(fakes.replicaNode(1).isDown()).isFalse();
    }

    @Test
    void aRead_thatTimesOut_onAReplicaThatFrozeMidRead_isRetriedElsewhere_thoughItAnsweredEarlyInTheRead()
            throws SQLException {
        Connection c = eventual();
        Node oslo1 = fakes.replicaNode(1);
        fakes.replica(1).failNext("SELECT", FakeServer.socketTimeout(), () -> {
            fakes.ticker.advance(Duration.ofMillis(150));
            oslo1.answeredAt = fakes.ticker.read(); // one probe answered 150 ms into the read...
            fakes.ticker.advance(Duration.ofSeconds(2)); // ...then the server froze until the read timed out
        });

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t");
        assertThat(oslo1.isDown()).isTrue();
    }

    @Test
    void aRead_thatTimesOut_onAReplicaTheMonitorFoundDown_isRetriedElsewhere_andTheReplicaMarkedDown()
            throws SQLException {
        Connection c = eventual();
        Node oslo1 = fakes.replicaNode(1);
        fakes.replica(1).failNext("SELECT", FakeServer.socketTimeout(), () -> {
            fakes.ticker.advance(Duration.ofSeconds(2));
            oslo1.answeredAt = fakes.ticker.read(); // it answers the probe...
            oslo1.health = Health.DOWN; // ...but the monitor found it down
        });

        assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT * FROM t", "oslo-2: SELECT * FROM t");
        assertThat(oslo1.isDown()).isTrue();
    }

    // ---- Transactions ---------------------------------------------------------------------------

    @Test
    void aReadOnlyTransaction_whoseFirstStatementFails_beginsAgainOnTheNextReplica() throws SQLException {
        RoutingConnection c = eventual();
        c.setReadOnly(true);
        c.setAutoCommit(false);
        fakes.replica(1).failNext(FakeServer.linkFailure());

        assertThat(query(c, "SELECT 1")).isEqualTo("1");
        assertThat(query(c, "SELECT 2")).isEqualTo("1");
        assertThat(c.currentServer()).isEqualTo("replica oslo-2:3306 (oslo)");
        c.commit();

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT 1", "oslo-2: SELECT 1", "oslo-2: SELECT 2");
    }

    @Test
    void aReadInATransactionThatAlreadyRanOnTheReplica_isNotRetried_andTheTransactionIsLostUntilRollback()
            throws SQLException {
        RoutingConnection c = eventual();
        c.setReadOnly(true);
        c.setAutoCommit(false);
        assertThat(query(c, "SELECT 1")).isEqualTo("1");
        fakes.replica(1).failNext(FakeServer.linkFailure());

        assertThatThrownBy(() -> query(c, "SELECT 2"))
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: lost the connection to replica oslo-1:3306 (oslo): Communications link failure;"
                        + " the transaction is lost: roll back and run it again");
        String lost = "test: the transaction was lost with the connection to replica oslo-1:3306 (oslo); roll back,"
                + " then run it again";
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> query(c, "SELECT 3"))
                    .isInstanceOf(SQLTransactionRollbackException.class).hasMessage(lost)
                    .hasFieldOrPropertyWithValue("SQLState", "40000");
        }
        assertThatThrownBy(c::commit)
                .isInstanceOf(SQLTransactionRollbackException.class).hasMessage(lost)
                .hasFieldOrPropertyWithValue("SQLState", "40000");
        c.rollback();
        assertThat(query(c, "SELECT 4")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT 1", "oslo-1: SELECT 2", "oslo-2: SELECT 4");
        assertThat(fakes.replicaNode(1).isDown()).isTrue();
        assertThat(c.currentServer()).isEqualTo("replica oslo-2:3306 (oslo)");
    }

    @Test
    void aWriteTransaction_losesItsMasterConnection_andSaysSoUntilRollback() throws SQLException {
        RoutingConnection c = eventual();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        fakes.master.failNext(FakeServer.linkFailure());

        assertThatThrownBy(() -> query(c, "SELECT * FROM t"))
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: lost the connection to master master:3306: Communications link failure;"
                        + " the transaction is lost: roll back and run it again");
        assertThatThrownBy(() -> update(c, "INSERT INTO t VALUES (2)"))
                .isInstanceOf(SQLTransactionRollbackException.class)
                .hasMessage("test: the transaction was lost with the connection to master master:3306; roll back,"
                        + " then run it again");
        c.rollback();
        update(c, "INSERT INTO t VALUES (3)");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT * FROM t",
                "master: INSERT INTO t VALUES (3)");
    }

    // ---- Server connections the pool closed under the router -----------------------------------

    /** MariaDB's ER_UNKNOWN_ERROR: HikariCP closes the connection on it (its own list), the router is not told. */
    static SQLException unknownError() {
        return new SQLException("Unknown error", "HY000", 1105);
    }

    @Test
    void aReplicaConnectionThePoolClosedAfterAStatementError_isReplacedAtTheNextRead() throws SQLException {
        Connection c = eventual();
        SQLException unknown = unknownError();
        fakes.replica(1).failNext("SELECT a", unknown);
        assertThatThrownBy(() -> query(c, "SELECT a")).isSameAs(unknown);

        assertThat(query(c, "SELECT b")).isEqualTo("1");

        assertThat(fakes.ran()).containsExactly("oslo-1: SELECT a", "oslo-1: SELECT b");
        List<FakeServer.Executed> reads = fakes.replica(1).executed();
        assertThat(reads.get(1).connection()).as("a new server connection").isNotEqualTo(reads.get(0).connection());
        assertThat(fakes.replicaNode(1).isDown()).as("the replica is fine").isFalse();
    }

    @Test
    void aMasterConnectionThePoolClosedAfterACallThatTouchesNoData_isReplacedAtTheNextWrite() throws SQLException {
        Connection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        fakes.master.failOn("createArrayOf", new SQLFeatureNotSupportedException("Array type is not supported", "0A000"));
        assertThatThrownBy(() -> c.createArrayOf("INT", new Object[] {1})).hasMessage("Array type is not supported");

        update(c, "INSERT INTO t VALUES (2)");

        assertThat(fakes.master.executed("INSERT")).extracting(FakeServer.Executed::connection)
                .as("a new server connection").doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void aTransactionWhoseConnectionThePoolClosed_isLost_untilRollback() throws SQLException {
        Connection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        SQLException unknown = unknownError();
        fakes.master.failNext("UPDATE", unknown);
        assertThatThrownBy(() -> update(c, "UPDATE t SET v = 1")).isSameAs(unknown);

        assertThatThrownBy(() -> update(c, "INSERT INTO t VALUES (2)"))
                .isInstanceOf(SQLTransactionRollbackException.class)
                .hasMessage("test: the transaction was lost with the connection to master master:3306; roll back, then"
                        + " run it again");
        c.rollback();
        update(c, "INSERT INTO t VALUES (3)");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: UPDATE t SET v = 1",
                "master: INSERT INTO t VALUES (3)");
    }

    @Test
    void aPreparedRead_whoseReplicaConnectionThePoolClosed_isPreparedAgainOnANewOne() throws SQLException {
        Connection c = eventual();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE id = ?");
        ps.setInt(1, 7);
        fakes.replica(1).failNext("SELECT 1", unknownError());
        assertThatThrownBy(() -> query(c, "SELECT 1")).isInstanceOf(SQLException.class);

        ps.executeQuery().close();

        List<FakeServer.Executed> runs = fakes.replica(1).executed("SELECT * FROM t");
        assertThat(runs).singleElement().satisfies(e -> assertThat(e.parameters()).containsEntry(1, List.of("setInt", 7)));
        assertThat(runs.get(0).connection()).isNotEqualTo(fakes.replica(1).executed("SELECT 1").get(0).connection());
    }
}
