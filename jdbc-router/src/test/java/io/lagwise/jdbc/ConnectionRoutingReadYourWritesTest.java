package io.lagwise.jdbc;

import static io.lagwise.jdbc.FakeCluster.query;
import static io.lagwise.jdbc.FakeCluster.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.GtidSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes through real connections against fake servers: where a write's position is read
 * ({@code @@last_gtid} on the connection that wrote, or the master's {@code @@gtid_binlog_pos} when
 * that cannot be trusted), when, how often, and what the read then does with it (waits on the replica,
 * or falls back to the master). The server versions of several of these are in
 * {@code RoutingDefectsTest} and {@code ReadYourWritesTest}.
 */
class ConnectionRoutingReadYourWritesTest {

    final FakeCluster fakes = new FakeCluster();
    final FakeServer master = fakes.master;
    final FakeServer oslo1 = fakes.replica(1);

    @AfterEach
    void close() throws SQLException {
        fakes.close();
    }

    static GtidSet gtid(String s) {
        return GtidSet.parse(s);
    }

    /** The connection a statement starting with {@code prefix} ran on, the only time it ran on {@code server}. */
    static int connectionOf(FakeServer server, String prefix) {
        List<FakeServer.Executed> e = server.executed(prefix);
        assertThat(e).as("%s on %s", prefix, server.name).hasSize(1);
        return e.get(0).connection();
    }

    // ---- Capture ---------------------------------------------------------------------------------

    @Test
    void afterAnAutoCommitWrite_theNextRead_readsLastGtidOnTheWritersConnection_onceForSeveralReads_thenWaits()
            throws SQLException {
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        for (int i = 0; i < 3; i++) {
            assertThat(query(c, "SELECT * FROM t")).isEqualTo("1");
        }

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t", "oslo-1: SELECT * FROM t",
                "oslo-1: SELECT * FROM t");
        assertThat(connectionOf(master, "SELECT @@last_gtid")).as("the connection the write ran on")
                .isEqualTo(connectionOf(master, "INSERT"));
        assertThat(oslo1.executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .containsEntry(1, List.of("setString", "0-1-5")).containsEntry(2, List.of("setDouble", 0.05));
        assertThat(fakes.session().token().position()).isEqualTo(gtid("0-1-5"));
        RoutingStats stats = fakes.cluster.stats();
        assertThat(stats.routed(RouteReason.WRITE)).isEqualTo(1);
        assertThat(stats.routed(RouteReason.REPLICA_AFTER_WAIT)).isEqualTo(1);
        assertThat(stats.routed(RouteReason.REPLICA)).as("the replica is known to have the write now").isEqualTo(2);
        assertThat(stats.readYourWritesWaits()).isEqualTo(1);
        assertThat(stats.readYourWritesFallbacks()).isZero();
    }

    @Test
    void aReplicaKnownToHaveTheWrite_servesTheReadWithoutWaiting() throws SQLException {
        fakes.replicaNode(1).knownPosition = gtid("0-1-6");
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "oslo-1: SELECT * FROM t");
        assertThat(fakes.routed(RouteReason.REPLICA)).isEqualTo(1);
    }

    @Test
    void aWaitThatTimesOut_sendsTheReadToTheMaster_andCountsAFallback() throws SQLException {
        oslo1.waitResult = -1;
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "master: SELECT * FROM t");
        RoutingStats stats = fakes.cluster.stats();
        assertThat(stats.routed(RouteReason.READ_YOUR_WRITES)).isEqualTo(1);
        assertThat(stats.readYourWritesWaits()).isEqualTo(1);
        assertThat(stats.readYourWritesFallbacks()).isEqualTo(1);
        assertThat(fakes.replicaNode(1).knownPosition.isEmpty()).as("nothing learnt from a wait that timed out").isTrue();
    }

    @Test
    void aWaitAnsweredWithNull_countsAsNotApplied() throws SQLException {
        oslo1.waitResult = null; // MASTER_GTID_WAIT returns NULL on an error
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        query(c, "SELECT * FROM t");

        assertThat(master.count("SELECT * FROM t")).isEqualTo(1);
        assertThat(fakes.cluster.stats().readYourWritesFallbacks()).isEqualTo(1);
    }

    @Test
    void aReplicaThatDiesUnderTheWait_isMarkedDown_andTheReadWaitsOnTheNext_afterLearningTheMastersPosition()
            throws SQLException {
        oslo1.failNext("SELECT MASTER_GTID_WAIT", FakeServer.linkFailure());
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "master: SELECT @@gtid_binlog_pos",
                "oslo-2: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-2: SELECT * FROM t");
        assertThat(fakes.replicaNode(1).isDown()).isTrue();
        assertThat(fakes.replica(2).executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .as("the token now holds the master's position").containsEntry(1, List.of("setString", "0-1-7"));
        assertThat(fakes.routed(RouteReason.REPLICA_AFTER_WAIT)).isEqualTo(1);
    }

    @Test
    void afterTheWritersMasterConnectionBroke_theCaptureReadsTheMastersPosition_notLastGtidOnTheNewConnection()
            throws SQLException {
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        master.failNext("SELECT * FROM t FOR UPDATE", FakeServer.linkFailure());
        assertThatThrownBy(() -> query(c, "SELECT * FROM t FOR UPDATE"))
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: lost the connection to master master:3306: Communications link failure");
        query(c, "SELECT * FROM t FOR UPDATE"); // borrows a new master connection

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT * FROM t FOR UPDATE",
                "master: SELECT * FROM t FOR UPDATE", "master: SELECT @@gtid_binlog_pos",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        List<FakeServer.Executed> locking = master.executed("SELECT * FROM t FOR UPDATE");
        assertThat(locking.get(1).connection()).as("a new master connection").isNotEqualTo(locking.get(0).connection());
        assertThat(connectionOf(master, "SELECT @@gtid_binlog_pos")).as("read on the connection held now")
                .isEqualTo(locking.get(1).connection());
        assertThat(fakes.session().token().position()).isEqualTo(gtid("0-1-7"));
    }

    // ---- Other connections of the session ------------------------------------------------------

    @Test
    void anotherConnectionOfTheSession_neverTouchesTheWritersServerConnection_yetReadsBehindNoWrite()
            throws SQLException {
        RoutingConnection writer = fakes.connect();
        update(writer, "INSERT INTO t VALUES (1)");
        int writersConnection = connectionOf(master, "INSERT");

        RoutingConnection reader = fakes.connect();
        query(reader, "SELECT * FROM t");

        assertThat(master.executed()).filteredOn(e -> e.connection() == writersConnection)
                .extracting(FakeServer.Executed::sql).containsExactly("INSERT INTO t VALUES (1)");
        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@gtid_binlog_pos",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        assertThat(fakes.session().token().position()).isEqualTo(gtid("0-1-7"));

        update(writer, "INSERT INTO t VALUES (2)"); // the writer goes on on its own connection
        assertThat(master.executed("INSERT")).extracting(FakeServer.Executed::connection)
                .containsOnly(writersConnection);
    }

    @Test
    void aConnectionOnAnotherThread_withTheSessionAttached_neverTouchesTheWritersServerConnection() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
        ConsistencySession session = fakes.cluster.sessions.open();
        try {
            RoutingConnection writer = fakes.connect();
            update(writer, "INSERT INTO t VALUES (1)");
            int writersConnection = connectionOf(master, "INSERT");

            CompletableFuture.runAsync(() -> {
                try (ConsistencySession.Scope attached = session.attach(); RoutingConnection reader = fakes.connect()) {
                    query(reader, "SELECT * FROM t");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, other).get(10, TimeUnit.SECONDS);

            assertThat(master.executed()).filteredOn(e -> e.connection() == writersConnection)
                    .extracting(FakeServer.Executed::sql).containsExactly("INSERT INTO t VALUES (1)");
            assertThat(master.executed("SELECT @@gtid_binlog_pos")).singleElement()
                    .satisfies(e -> assertThat(e.thread()).isEqualTo("other-thread"));
            assertThat(oslo1.executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                    .containsEntry(1, List.of("setString", "0-1-7"));
            assertThat(session.token().position()).isEqualTo(gtid("0-1-7"));
        } finally {
            session.close();
            other.shutdownNow();
        }
    }

    // ---- Transactions ---------------------------------------------------------------------------

    @Test
    void anImplicitCommit_keepsTheTransactionsWritesInTheToken_afterRollback() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        update(c, "CREATE TABLE x (id INT)"); // commits the INSERT with it
        c.rollback();
        assertThat(fakes.session().pendingConnections()).as("committed, not captured yet").isEqualTo(1);

        c.setAutoCommit(true);
        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: CREATE TABLE x (id INT)",
                "master: SELECT @@last_gtid", "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        assertThat(fakes.session().token().position()).isEqualTo(gtid("0-1-5"));
    }

    @Test
    void aRolledBackTransaction_leavesNothingPending() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        c.rollback();
        assertThat(fakes.session().pendingConnections()).isZero();

        c.setAutoCommit(true);
        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "oslo-1: SELECT * FROM t");
        assertThat(fakes.session().token().isEmpty()).isTrue();
        assertThat(master.calls(connectionOf(master, "INSERT"))).contains("rollback()");
    }

    @Test
    void aCommitThatFailsWithAConnectionError_keepsTheWritesInTheToken() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        master.failOn("commit", FakeServer.linkFailure());

        assertThatThrownBy(c::commit)
                .isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("test: lost the connection to master master:3306: Communications link failure;"
                        + " the transaction is lost: roll back and run it again");
        c.rollback();
        assertThat(fakes.session().pendingConnections()).as("the commit may have landed").isEqualTo(1);
        c.setAutoCommit(true);
        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).as("its connection is gone: the master's position, on another connection")
                .containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@gtid_binlog_pos",
                        "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        assertThat(connectionOf(master, "SELECT @@gtid_binlog_pos")).isNotEqualTo(connectionOf(master, "INSERT"));
        assertThat(fakes.session().token().position()).isEqualTo(gtid("0-1-7"));
    }

    @Test
    void aCommitRefusedByTheServer_leavesTheTransactionOpen_andItsWritesOutOfTheToken() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        SQLException deadlock = new SQLTransactionRollbackException("Deadlock found when trying to get lock", "40001", 1213);
        master.failOn("commit", deadlock);

        assertThatThrownBy(c::commit).isSameAs(deadlock);
        assertThat(c.currentServer()).isEqualTo("master master:3306");
        c.rollback();

        assertThat(fakes.session().pendingConnections()).isZero();
        assertThat(fakes.session().token().isEmpty()).isTrue();
    }

    @Test
    void switchingAutoCommitOn_commits_andTheWritesReachTheToken() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");
        c.setAutoCommit(true);

        query(c, "SELECT * FROM t");

        assertThat(master.calls(connectionOf(master, "INSERT"))).contains("setAutoCommit(true)");
        assertThat(fakes.session().token().position()).isEqualTo(gtid("0-1-5"));
    }

    // ---- Priced before the position is read ------------------------------------------------------

    /** The master 0.3 ms away, the replicas 40 ms behind: the master is the cheaper place after a write. */
    private void nextToTheMaster() {
        fakes.masterNode.rttNanos = 300_000;
        for (int i = 1; i <= 2; i++) {
            fakes.replicaNode(i).rttNanos = 200_000;
            fakes.replicaNode(i).lagNanos = 40_000_000;
        }
    }

    @Test
    void nextToTheMaster_theReadAfterAWrite_goesThere_withoutReadingTheWritesPosition() throws SQLException {
        nextToTheMaster();
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).as("no @@last_gtid: a master read needs no position")
                .containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT * FROM t");
        assertThat(fakes.routed(RouteReason.MASTER_CHEAPER)).isEqualTo(1);
        assertThat(fakes.session().pendingConnections()).as("the write's position is still to be read").isEqualTo(1);
    }

    @Test
    void pastTheBudget_theReadReadsThePosition_andPassesTheBarrier_forItSawTheMasterAfterTheWrite() throws SQLException {
        nextToTheMaster();
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        query(c, "SELECT * FROM t"); // on the master: the budget's two reads for this write (FakeCluster: 2.0)
        query(c, "SELECT * FROM t");

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT * FROM t",
                "master: SELECT * FROM t", "master: SELECT @@last_gtid", "master: SELECT @@gtid_binlog_pos", "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)",
                "oslo-1: SELECT * FROM t");
        assertThat(oslo1.executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .as("the master's position: the first read may have seen more than the write")
                .containsEntry(1, List.of("setString", "0-1-7"));
        RoutingStats stats = fakes.cluster.stats();
        assertThat(stats.routed(RouteReason.MASTER_CHEAPER)).isEqualTo(2);
        assertThat(stats.routed(RouteReason.REPLICA_AFTER_WAIT)).isEqualTo(1);
        assertThat(stats.readYourWritesBudgetWaits()).as("priced once, refused once").isEqualTo(1);
    }

    @Test
    void theMasterGoneAfterAnotherConnectionsWrite_theReadGoesOnOnAReplica_insteadOfFailing() throws SQLException {
        nextToTheMaster();
        RoutingConnection writer = fakes.connect();
        update(writer, "INSERT INTO t VALUES (1)"); // pending on the writer's own master connection
        master.refuseConnections = true; // the master dies; nothing has marked it down yet

        RoutingConnection reader = fakes.connect();
        query(reader, "SELECT * FROM t");

        assertThat(oslo1.count("SELECT * FROM t")).as("priced onto the master, found gone: the replica").isEqualTo(1);
        assertThat(fakes.masterNode.isDown()).isTrue();
    }

    @Test
    void aReadAfterAWrite_asksTheSelectorOnce_soEqualReplicasStillTakeTurns() throws SQLException {
        Cluster balanced = new Cluster("test", fakes.masterNode, fakes.replicaNodes, io.lagwise.core.ReplicaSelector.preferLocal(),
                "oslo", ReadFallback.MASTER, new StatementClassifier(1000), io.lagwise.core.Consistency.READ_YOUR_WRITES,
                ReadYourWritesMode.GTID, Duration.ofMillis(50), Duration.ofMillis(100), 2.0, fakes.ticker);
        for (int i = 0; i < 4; i++) { // four requests, each its own session: a write, then a read
            try (ConsistencySession s = balanced.sessions.open(); RoutingConnection c = new RoutingConnection(balanced)) {
                update(c, "INSERT INTO t VALUES (1)");
                query(c, "SELECT * FROM t");
            }
        }

        assertThat(List.of(oslo1.count("SELECT * FROM t"), fakes.replica(2).count("SELECT * FROM t")))
                .as("two equal replicas share the reads").containsExactly(2, 2);
    }

    @Test
    void aPendingWriteCapturedWithALaterGtidlessOne_afterAMasterRead_keepsTheBarrier() throws SQLException {
        nextToTheMaster();
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)"); // 0-1-5, position not read
        query(c, "SELECT * FROM t"); // priced early: the master (at 0-1-7); the write stays pending
        fakes.ticker.advance(Duration.ofMillis(1));
        query(c, "CALL report(1)"); // a write by its kind, none in fact: no GTID, @@last_gtid stays 0-1-5
        fakes.ticker.advance(Duration.ofMillis(45)); // past the replicas' lag: the replica is the cheaper place

        query(c, "SELECT * FROM t");

        assertThat(oslo1.count("SELECT * FROM t")).isEqualTo(1);
        assertThat(fakes.ran()).as("0-1-5 predates the master read: a barrier before the replica read")
                .contains("master: SELECT @@gtid_binlog_pos");
    }

    @Test
    void aWriteThatMadeNoGtid_afterAMasterRead_doesNotLiftTheBarrier() throws SQLException {
        oslo1.waitResult = -1; // oslo-1 is behind: the read after the write falls back to the master
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)"); // its GTID: 0-1-5
        query(c, "SELECT * FROM t"); // on the master, which is at 0-1-7: this read saw 0-1-6 and 0-1-7
        assertThat(master.count("SELECT * FROM t")).isEqualTo(1);
        oslo1.waitResult = 0;
        fakes.ticker.advance(Duration.ofMillis(1));
        query(c, "CALL report(1)"); // routed as a write; a read-only procedure: no GTID, @@last_gtid stays 0-1-5

        query(c, "SELECT * FROM t");

        assertThat(oslo1.count("SELECT * FROM t")).isEqualTo(1);
        List<FakeServer.Executed> waits = oslo1.executed("SELECT MASTER_GTID_WAIT");
        assertThat(waits.get(waits.size() - 1).parameters())
                .as("the replica read does not go behind the master read before it (0-1-7)")
                .containsEntry(1, List.of("setString", "0-1-7"));
    }

    @Test
    void aWriteAfterAMasterRead_standsOnlyForItsOwnDomain_soTheBarrierStays() throws SQLException {
        master.binlogPosition = "0-1-7,1-1-100"; // another domain (multi-source, or another gtid_domain_id)
        oslo1.waitResult = -1;
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)"); // 0-1-5
        query(c, "SELECT * FROM t"); // fallback to the master: it saw 1-1-100
        oslo1.waitResult = 0;
        fakes.ticker.advance(Duration.ofMillis(1));
        master.lastGtid = "0-1-8";
        update(c, "INSERT INTO t VALUES (2)"); // 0-1-8: says nothing about domain 1

        query(c, "SELECT * FROM t");

        List<FakeServer.Executed> waits = oslo1.executed("SELECT MASTER_GTID_WAIT");
        assertThat((String) waits.get(waits.size() - 1).parameters().get(1).get(1))
                .as("the wait before the replica read covers what the master read saw in domain 1")
                .contains("1-1-100");
    }

    @Test
    void aTokenFromAMysqlCluster_thenAWriteHere_failsTheReadWithItsSqlException() throws SQLException {
        fakes.session().importToken(io.lagwise.core.ConsistencyToken.of(
                gtid("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"), System.currentTimeMillis()).export());
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        assertThatThrownBy(() -> query(c, "SELECT * FROM t")).isInstanceOf(SQLException.class)
                .hasMessageContaining("a token from another kind of cluster");
        assertThatThrownBy(() -> query(c, "SELECT * FROM t")).as("again, not an IllegalArgumentException")
                .isInstanceOf(SQLException.class);
    }

    @Test
    void aPreparedReadThatCannotMove_isNotSentToTheMasterForBeingCheaper() throws SQLException {
        nextToTheMaster();
        RoutingConnection c = fakes.connect();
        java.sql.PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE b = ?"); // prepared on oslo-1
        ps.setBinaryStream(1, new java.io.ByteArrayInputStream(new byte[] {1}));    // a stream: it cannot move
        update(c, "INSERT INTO t VALUES (1)");

        try (java.sql.ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }

        assertThat(oslo1.count("SELECT * FROM t WHERE b = ?")).as("waits on the replica, as a call does").isEqualTo(1);
    }

    @Test
    void aReadOnTheMasterBecauseNoReplicaWasEligible_isNotFollowedByAnOlderReplicaRead() throws SQLException {
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        query(c, "SELECT * FROM t"); // 0-1-5 captured, waited, read on oslo-1
        fakes.replicaNode(1).health = io.lagwise.core.Health.LAGGING;
        fakes.replicaNode(2).health = io.lagwise.core.Health.LAGGING;
        RoutingConnection c2 = fakes.connect();
        query(c2, "SELECT * FROM t"); // NO_REPLICA: the master, at 0-1-7
        assertThat(master.count("SELECT * FROM t")).isEqualTo(1);
        fakes.replicaNode(1).health = io.lagwise.core.Health.UP;

        query(c2, "SELECT * FROM t");

        assertThat(fakes.ran()).as("a barrier before the replica read").contains("master: SELECT @@gtid_binlog_pos");
    }

    @Test
    void aGtidlessWriteBehindAnImportedToken_doesNotTeachTheTimeSinceTheImportAsApplyDelay() throws SQLException {
        fakes.replicaNode(1).rttNanos = 200_000;
        fakes.session().importToken(io.lagwise.core.ConsistencyToken.of(gtid("0-1-9"), System.currentTimeMillis()).export());
        fakes.ticker.advance(Duration.ofSeconds(10));
        RoutingConnection c = fakes.connect();
        query(c, "CALL report(1)"); // a write by its kind, no GTID: @@last_gtid 0-1-5, behind the token's 0-1-9
        oslo1.duringWait = () -> fakes.ticker.advance(Duration.ofMillis(30)); // 0-1-9 arrives 30 ms into the wait

        query(c, "SELECT * FROM t");

        assertThat(oslo1.count("SELECT MASTER_GTID_WAIT")).isEqualTo(1);
        assertThat(fakes.replicaNode(1).learnedApplyDelayNanos)
                .as("the wait was for the imported 0-1-9, not the session's own write: nothing learnt").isLessThan(1_000_000_000L);
    }

    @Test
    void aFarMaster_isNotTheCheaperPlace_theReadWaitsOnTheReplica_andTheBudgetIsUntouched() throws SQLException {
        fakes.masterNode.rttNanos = 40_000_000;
        fakes.replicaNode(1).rttNanos = 200_000;
        fakes.replicaNode(1).lagNanos = 20_000_000;
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        RoutingStats stats = fakes.cluster.stats();
        assertThat(stats.routed(RouteReason.MASTER_CHEAPER)).isZero();
        assertThat(stats.readYourWritesBudgetWaits()).isZero();
    }

    @Test
    void aDeferredWrite_isPricedToo_andTheMasterReadSkipsResolvingIt() throws SQLException {
        nextToTheMaster();
        RoutingConnection writer = fakes.connect();
        update(writer, "INSERT INTO t VALUES (1)");
        writer.close(); // deferred to the master's position

        RoutingConnection reader = fakes.connect();
        query(reader, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT * FROM t");
        assertThat(fakes.session().hasDeferredWrite()).isTrue();
    }

    @Test
    void aWriteMadeLongEnoughAgo_isNotPricedOntoTheMaster() throws SQLException {
        nextToTheMaster();
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        fakes.ticker.advance(Duration.ofMillis(45)); // past the replicas' 40 ms

        query(c, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@last_gtid",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        assertThat(fakes.routed(RouteReason.MASTER_CHEAPER)).isZero();
    }

    // ---- The end of a connection ----------------------------------------------------------------

    @Test
    void closeAfterAnUncapturedWrite_runsNoQuery_andDefersTheWriteToTheMastersPosition() throws SQLException {
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");

        c.close();

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)");
        assertThat(fakes.session().hasDeferredWrite()).isTrue();
        assertThat(fakes.session().pendingConnections()).isZero();

        RoutingConnection next = fakes.connect();
        query(next, "SELECT * FROM t");
        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@gtid_binlog_pos",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
        assertThat(fakes.session().hasDeferredWrite()).isFalse();
    }

    @Test
    void aDeferredWrite_takesThePositionOfAMasterProbeSentAfterIt_withoutAQuery() throws SQLException {
        RoutingConnection writer = fakes.connect();
        update(writer, "INSERT INTO t VALUES (1)");
        writer.close();
        fakes.ticker.advance(Duration.ofMillis(1));
        fakes.masterNode.probed = new Node.Probed(fakes.ticker.read(), fakes.ticker.read(), gtid("0-1-6")); // sent after it

        RoutingConnection next = fakes.connect();
        query(next, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)",
                "oslo-1: SELECT * FROM t");
        assertThat(oslo1.executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .as("the probe's position, lower than the master's current one").containsEntry(1, List.of("setString", "0-1-6"));
        assertThat(fakes.session().hasDeferredWrite()).isFalse();
    }

    @Test
    void aWaitTeachesTheReplicasApplyDelay_timedFromWhenTheMasterHadThePosition() throws SQLException {
        fakes.replicaNode(1).rttNanos = 200_000;
        oslo1.duringWait = () -> fakes.ticker.advance(Duration.ofMillis(30)); // the write arrives 30 ms into the wait
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        query(c, "SELECT * FROM t"); // waits for 0-1-5, its own GTID (@@last_gtid)
        long learned = fakes.replicaNode(1).learnedApplyDelayNanos;
        assertThat(learned).as("about the 30 ms the wait took").isBetween(29_000_000L, 31_000_000L);

        RoutingConnection writer = fakes.connect();
        update(writer, "INSERT INTO t VALUES (2)");
        writer.close(); // deferred: resolved with the master's position, which holds others' writes too
        fakes.ticker.advance(Duration.ofMillis(100));
        master.binlogPosition = "0-1-9";
        RoutingConnection reader = fakes.connect();
        query(reader, "SELECT * FROM t");

        assertThat(oslo1.count("SELECT MASTER_GTID_WAIT")).isEqualTo(2);
        assertThat(fakes.replicaNode(1).learnedApplyDelayNanos).as("30 ms after the master's position was read (130 ms"
                + " after the write: that is not this replica's delay)").isBetween(29_000_000L, 31_000_000L);
    }

    @Test
    void aWriteWhoseReplyWasStillStreaming_isNotHeldByAProbeSentBeforeItCommitted() throws SQLException {
        RoutingConnection writer = fakes.connect();
        try (java.sql.Statement s = writer.createStatement(); java.sql.ResultSet rs = s.executeQuery("CALL add_order(1)")) {
            // the procedure's rows still stream; its INSERT commits when it ends
            fakes.ticker.advance(Duration.ofMillis(1));
            fakes.masterNode.probed = new Node.Probed(fakes.ticker.read(), fakes.ticker.read(), gtid("0-1-4")); // before that commit
            while (rs.next()) {
                // consumed: the procedure ended, its INSERT committed
            }
        }
        writer.close(); // deferred

        RoutingConnection reader = fakes.connect();
        query(reader, "SELECT * FROM t");

        assertThat(oslo1.executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .as("the master's position read now, not a probe's from before the commit")
                .containsEntry(1, List.of("setString", "0-1-7"));
    }

    @Test
    void aWriteThatTimedOut_isNotHeldByAProbeSentBeforeTheServerCommittedIt() throws SQLException {
        RoutingConnection c = fakes.connect();
        master.failNext("UPDATE", FakeServer.socketTimeout());
        assertThatThrownBy(() -> update(c, "UPDATE t SET a = 2")).isInstanceOf(SQLException.class);
        // the server runs it on; the monitor probes the master meanwhile (0-1-4); then it commits
        fakes.ticker.advance(Duration.ofMillis(1));
        fakes.masterNode.probed = new Node.Probed(fakes.ticker.read(), fakes.ticker.read(), gtid("0-1-4"));

        query(c, "SELECT * FROM t");

        assertThat(oslo1.executed("SELECT MASTER_GTID_WAIT")).as("0-1-4 does not hold a write that may commit later")
                .noneMatch(e -> e.parameters().get(1).equals(List.of("setString", "0-1-4")));
    }

    @Test
    void aMasterProbeSentBeforeTheWrite_doesNotHoldIt() throws SQLException {
        fakes.masterNode.probed = new Node.Probed(fakes.ticker.read(), fakes.ticker.read(), gtid("0-1-4"));
        fakes.ticker.advance(Duration.ofMillis(1));
        RoutingConnection writer = fakes.connect();
        update(writer, "INSERT INTO t VALUES (1)");
        writer.close();

        RoutingConnection next = fakes.connect();
        query(next, "SELECT * FROM t");

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT @@gtid_binlog_pos",
                "oslo-1: SELECT MASTER_GTID_WAIT(?, ?)", "oslo-1: SELECT * FROM t");
    }

    @Test
    void closeInsideATransaction_rollsItBack_andLeavesNothingPending() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setAutoCommit(false);
        update(c, "INSERT INTO t VALUES (1)");

        c.close();

        assertThat(master.calls(connectionOf(master, "INSERT"))).as("by the pool").contains("rollback()");
        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)");
        ConsistencySession session = fakes.session();
        assertThat(session.pendingConnections()).isZero();
        assertThat(session.hasDeferredWrite()).isFalse();
        assertThat(session.token().isEmpty()).isTrue();
    }

    @Test
    void abortAfterAnUncapturedWrite_runsNoQuery_andPinsTheSessionToTheMaster() throws SQLException {
        RoutingConnection c = fakes.connect();
        update(c, "INSERT INTO t VALUES (1)");
        int writersConnection = connectionOf(master, "INSERT");

        c.abort(Runnable::run);

        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)");
        ConsistencySession session = fakes.session();
        assertThat(session.pinnedUntilNanos - fakes.ticker.read()).isPositive();
        assertThat(session.hasDeferredWrite()).isFalse();
        assertThat(master.calls(writersConnection)).contains("abort(executor)");
        assertThat(c.isClosed()).isTrue();

        RoutingConnection next = fakes.connect();
        query(next, "SELECT * FROM t");
        assertThat(fakes.ran()).containsExactly("master: INSERT INTO t VALUES (1)", "master: SELECT * FROM t");
        assertThat(fakes.routed(RouteReason.READ_YOUR_WRITES)).isEqualTo(1);

        fakes.ticker.advance(Duration.ofMillis(101)); // past the pin window
        query(next, "SELECT * FROM t");
        assertThat(oslo1.count("SELECT * FROM t")).isEqualTo(1);
    }
}
