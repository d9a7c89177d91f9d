package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.Consistency;
import io.lagwise.core.ConsistencyToken;
import io.lagwise.core.GtidSet;
import io.lagwise.core.Health;
import io.lagwise.core.NodeRole;
import io.lagwise.core.ReplicaSelector;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The routing decision, row by row of the README's routing table and of read-your-writes, against
 * fake nodes (no pools, no servers) and a fake ticker: nothing here waits or connects.
 */
class RouterTest {

    final FakeTicker ticker = new FakeTicker();
    final Node master = node("master", NodeRole.MASTER, "oslo", false);
    final Node oslo = node("oslo-1", NodeRole.REPLICA, "oslo", false);
    final Node osloBackup = node("oslo-2", NodeRole.REPLICA, "oslo", true);
    final Node frankfurt = node("fra-1", NodeRole.REPLICA, "frankfurt", false);
    final Node frankfurtBackup = node("fra-2", NodeRole.REPLICA, "frankfurt", true);

    Node node(String host, NodeRole role, String region, boolean backup) {
        return new Node(JdbcUrl.parse("jdbc:mariadb://" + host + ":3306/app"), role, region, backup, ticker);
    }

    Cluster cluster(ReadYourWritesMode mode, Duration maxWait, ReadFallback fallback) {
        return new Cluster("test", master, List.of(oslo, osloBackup, frankfurt, frankfurtBackup),
                ReplicaSelector.preferLocal(), "oslo", fallback, new StatementClassifier(1000),
                Consistency.READ_YOUR_WRITES, mode, maxWait, Duration.ofMillis(100), 2.0, ticker);
    }

    final Cluster cluster = cluster(ReadYourWritesMode.GTID, Duration.ofMillis(50), ReadFallback.MASTER);
    final Router router = cluster.router;
    final ConnectionState state = new ConnectionState();

    Router.Route place(String sql) throws SQLException {
        return router.place(cluster.classifier.classify(sql), state);
    }

    static GtidSet gtid(String s) {
        return GtidSet.parse(s);
    }

    /** The README's routing table, one row per line: SQL in auto-commit, read-write connection. */
    @ParameterizedTest(name = "{0} -> {1}/{2}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT * FROM t                                 | READ      | REPLICA
            SHOW TABLES                                     | READ      | REPLICA
            WITH x AS (SELECT 1) SELECT * FROM x            | READ      | REPLICA
            INSERT INTO t VALUES (1)                        | MASTER    | WRITE
            UPDATE t SET a = 1                              | MASTER    | WRITE
            DELETE FROM t                                   | MASTER    | WRITE
            CREATE TABLE u (id INT)                         | MASTER    | WRITE
            CALL p()                                        | MASTER    | WRITE
            SELECT * FROM t FOR UPDATE                      | MASTER    | MASTER_REQUIRED
            SELECT * FROM t FOR SHARE                       | MASTER    | MASTER_REQUIRED
            SELECT * FROM t LOCK IN SHARE MODE              | MASTER    | MASTER_REQUIRED
            SET time_zone = '+00:00'                        | MASTER    | WRITE
            USE app                                         | MASTER    | WRITE
            CREATE TEMPORARY TABLE tmp (id INT)             | MASTER    | WRITE
            SELECT GET_LOCK('x', 1)                         | MASTER    | WRITE
            SELECT @v := 1                                  | MASTER    | WRITE
            SELECT LAST_INSERT_ID()                         | MASTER    | WRITE
            /* lagwise:master */ SELECT * FROM t            | MASTER    | MASTER_REQUIRED
            SHOW WARNINGS                                   | LAST_USED | MASTER_REQUIRED
            SHOW MASTER STATUS                              | MASTER    | MASTER_REQUIRED
            SELECT @@gtid_binlog_pos                        | MASTER    | MASTER_REQUIRED
            SET TRANSACTION ISOLATION LEVEL SERIALIZABLE    | MASTER    | WRITE
            SET STATEMENT max_statement_time=1 FOR SELECT 1 | READ      | REPLICA
            /*!40103 SET TIME_ZONE='+00:00' */              | MASTER    | WRITE
            """)
    void autoCommit_routingTable(String sql, Router.Target target, RouteReason reason) throws SQLException {
        Router.Route r = place(sql);
        assertThat(r.target).isEqualTo(target);
        assertThat(r.reason).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            SET time_zone = '+00:00'
            USE app
            CREATE TEMPORARY TABLE tmp (id INT)
            SELECT GET_LOCK('x', 1)
            SELECT @v := 1
            """)
    void sessionState_pinsTheConnectionToTheMaster(String sql) throws SQLException {
        assertThat(place(sql).pinsMaster).isTrue();
        assertThat(place("INSERT INTO t VALUES (1)").pinsMaster).isFalse();
        assertThat(place("SELECT 1").pinsMaster).isFalse();
    }

    @Test
    void setTransaction_goesWhereTheTransactionGoes_andInAutoCommitIsSessionState() throws SQLException {
        String sql = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
        assertThat(place(sql).pinsMaster).as("auto-commit: it shapes what runs next in that server session").isTrue();
        state.autoCommit = false;
        assertThat(place(sql)).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.MASTER_REQUIRED));
        state.readOnly = true;
        assertThat(place(sql).target).as("a read-only transaction opens with it: on a replica").isEqualTo(Router.Target.READ);
        state.beginTransaction(NodeRole.REPLICA, RouteReason.REPLICA, true);
        assertThat(place(sql).target).isEqualTo(Router.Target.TRANSACTION);
    }

    @Test
    void useMaster_sendsEveryStatementToTheMaster_withoutPinningSessionState() throws SQLException {
        state.useMaster = true;
        assertThat(place("SELECT * FROM t")).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.MASTER_REQUIRED));
        state.readOnly = true;
        assertThatThrownBy(() -> place("UPDATE t SET a = 1")).as("still no write on a read-only connection").hasMessageContaining("read-only connection");
    }

    @Test
    void forcedMaster_sendsEveryStatementToTheMaster() throws SQLException {
        state.forcedMaster = true;
        assertThat(place("SELECT * FROM t")).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.MASTER_REQUIRED));
        assertThat(place("INSERT INTO t VALUES (1)").reason).isEqualTo(RouteReason.WRITE);
    }

    @Test
    void showWarnings_followsTheLastStatement() throws SQLException {
        state.lastUsed = NodeRole.REPLICA;
        assertThat(place("SHOW WARNINGS")).isSameAs(Router.Route.of(Router.Target.LAST_USED, RouteReason.REPLICA));
        state.lastUsed = NodeRole.MASTER;
        assertThat(place("SHOW WARNINGS").reason).isEqualTo(RouteReason.MASTER_REQUIRED);
    }

    @Nested
    class Transactions {

        @Test
        void readWriteTransaction_beginsOnTheMaster_andStaysThere() throws SQLException {
            state.autoCommit = false;
            assertThat(place("SELECT * FROM t")).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.MASTER_REQUIRED));
            state.beginTransaction(NodeRole.MASTER, RouteReason.MASTER_REQUIRED, true);
            assertThat(place("SELECT * FROM t")).isSameAs(Router.Route.of(Router.Target.TRANSACTION, RouteReason.MASTER_REQUIRED));
            assertThat(place("UPDATE t SET a = 1")).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.WRITE));
        }

        @Test
        void readOnlyTransaction_beginsWithARead_andFollowsItsReplica() throws SQLException {
            state.autoCommit = false;
            state.readOnly = true;
            assertThat(place("SELECT * FROM t").target).isEqualTo(Router.Target.READ);
            state.beginTransaction(NodeRole.REPLICA, RouteReason.REPLICA_AFTER_WAIT, true);
            // the first statement carries the reason its replica was chosen for; later ones just follow
            state.transactionStatements = 0;
            assertThat(place("SELECT * FROM t").reason).isEqualTo(RouteReason.REPLICA_AFTER_WAIT);
            state.transactionStatements = 1;
            assertThat(place("SELECT * FROM t")).isSameAs(Router.Route.of(Router.Target.TRANSACTION, RouteReason.REPLICA));
        }

        @Test
        void readOnlyTransaction_refusesWritesHintsAndSessionState() throws SQLException {
            state.autoCommit = false;
            state.readOnly = true;
            assertThatThrownBy(() -> place("INSERT INTO t VALUES (1)")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot run a write on a read-only connection")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
            state.beginTransaction(NodeRole.REPLICA, RouteReason.REPLICA, true);
            assertThatThrownBy(() -> place("INSERT INTO t VALUES (1)")).hasMessageContaining("read-only connection");
            assertThatThrownBy(() -> place("/* lagwise:master */ SELECT 1"))
                    .hasMessageContaining("a lagwise:master hint inside a read-only transaction that already runs on a replica");
            for (String sql : List.of("SET time_zone = '+00:00'", "SELECT GET_LOCK('x', 1)", "CREATE TEMPORARY TABLE tmp (id INT)")) {
                assertThatThrownBy(() -> place(sql)).as(sql)
                        .hasMessageContaining("session state (SET, a user variable, a temporary table, GET_LOCK) inside a read-only transaction that already runs on a replica")
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
            }
        }

        @Test
        void readOnlyTransaction_beginningWithSessionState_runsOnTheMaster() throws SQLException {
            state.autoCommit = false;
            state.readOnly = true;
            Router.Route r = place("SELECT GET_LOCK('report', 5)");
            assertThat(r.target).isEqualTo(Router.Target.MASTER);
            assertThat(r.pinsMaster).isTrue();
            assertThat(r.reason).isEqualTo(RouteReason.MASTER_REQUIRED);
        }

        @Test
        void sessionStateInATransactionOnTheMaster_pinsTheConnection() throws SQLException {
            state.autoCommit = false;
            state.beginTransaction(NodeRole.MASTER, RouteReason.WRITE, true);
            assertThat(place("SET @x = 1").pinsMaster).isTrue();
        }
    }

    @Test
    void readOnlyAutoCommit_readsOnReplicas_andRefusesWrites() throws SQLException {
        state.readOnly = true;
        assertThat(place("SELECT * FROM t FOR UPDATE").target).isEqualTo(Router.Target.READ);
        assertThatThrownBy(() -> place("DELETE FROM t")).hasMessage("test: cannot run a write on a read-only connection; writes never go to a replica (call setReadOnly(false) first)");
        // session state still goes to the master, where it lives on
        assertThat(place("SET time_zone = '+00:00'").pinsMaster).isTrue();
    }

    @Test
    void updatableResultSets_runAsWrites_unlessTheConnectionIsReadOnly() {
        assertThat(Router.forConcurrency(StatementKind.READ, ResultSet.CONCUR_UPDATABLE, false)).isEqualTo(StatementKind.WRITE);
        assertThat(Router.forConcurrency(StatementKind.LOCKING_READ, ResultSet.CONCUR_UPDATABLE, false)).isEqualTo(StatementKind.WRITE);
        assertThat(Router.forConcurrency(StatementKind.READ, ResultSet.CONCUR_UPDATABLE, true)).isEqualTo(StatementKind.READ);
        assertThat(Router.forConcurrency(StatementKind.READ, ResultSet.CONCUR_READ_ONLY, false)).isEqualTo(StatementKind.READ);
        assertThat(Router.forConcurrency(StatementKind.SESSION, ResultSet.CONCUR_UPDATABLE, false)).isEqualTo(StatementKind.SESSION);
    }

    @Test
    void consistency_statementHintBeatsConnectionBeatsThreadBeatsDefault() {
        Consistency d = Consistency.READ_YOUR_WRITES;
        assertThat(Router.effective(Consistency.EVENTUAL, Consistency.STRONG, Consistency.STRONG, d)).isEqualTo(Consistency.EVENTUAL);
        assertThat(Router.effective(null, Consistency.STRONG, Consistency.EVENTUAL, d)).isEqualTo(Consistency.STRONG);
        assertThat(Router.effective(null, null, Consistency.EVENTUAL, d)).isEqualTo(Consistency.EVENTUAL);
        assertThat(Router.effective(null, null, null, d)).isEqualTo(d);
    }

    // ---- Which replica: local, local backup, remote, remote backup; nearest; sticky. -------------

    @Nested
    class ReplicaChoice {

        @Test
        void localFirst_thenLocalBackup_thenRemote_thenRemoteBackup() throws SQLException {
            assertThat(router.candidate(null, null, null)).isSameAs(oslo);
            oslo.health = Health.DOWN;
            assertThat(router.candidate(null, null, null)).isSameAs(osloBackup);
            osloBackup.health = Health.LAGGING;
            assertThat(router.candidate(null, null, null)).isSameAs(frankfurt);
            frankfurt.health = Health.REPLICATION_STOPPED;
            assertThat(router.candidate(null, null, null)).isSameAs(frankfurtBackup);
            frankfurtBackup.markDown(new SQLException("refused", "08001"));
            assertThat(router.candidate(null, null, null)).isNull();
        }

        @Test
        void aSelectorThatFailsOrAnswersOutOfRange_isAnSqlException() {
            Cluster bad = new Cluster("test", master, List.of(oslo), (replicas, region, excluded) -> 5, "oslo",
                    ReadFallback.MASTER, new StatementClassifier(10), Consistency.READ_YOUR_WRITES,
                    ReadYourWritesMode.GTID, Duration.ofMillis(50), Duration.ofMillis(100), 2.0, ticker);
            assertThatThrownBy(() -> bad.router.candidate(null, null, null)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("returned 5 for 1 replicas");
            Cluster throwing = new Cluster("test", master, List.of(oslo), (replicas, region, excluded) -> {
                throw new IllegalArgumentException("policy bug");
            }, "oslo", ReadFallback.MASTER, new StatementClassifier(10), Consistency.READ_YOUR_WRITES,
                    ReadYourWritesMode.GTID, Duration.ofMillis(50), Duration.ofMillis(100), 2.0, ticker);
            assertThatThrownBy(() -> throwing.router.candidate(null, null, null)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("failed: java.lang.IllegalArgumentException: policy bug");
        }

        @Test
        void aFailedReplicaIsAvoided_andTheHeldOneIsKept() throws SQLException {
            assertThat(router.candidate(null, oslo, null)).isSameAs(osloBackup);
            assertThat(router.candidate(frankfurt, null, null)).as("held for the connection's life").isSameAs(frankfurt);
        }

        @Test
        void theSessionsLastReplicaIsKept_whileItIsAsGoodAChoice() throws SQLException {
            Node oslo3 = node("oslo-3", NodeRole.REPLICA, "oslo", false);
            Cluster two = new Cluster("test", master, List.of(oslo, oslo3), ReplicaSelector.preferLocal(), "oslo",
                    ReadFallback.MASTER, new StatementClassifier(10), Consistency.READ_YOUR_WRITES,
                    ReadYourWritesMode.GTID, Duration.ofMillis(50), Duration.ofMillis(100), 2.0, ticker);
            assertThat(two.router.candidate(null, null, oslo3)).isSameAs(oslo3);
            assertThat(two.router.candidate(null, null, frankfurt)).as("a remote last replica is left for a local one").isIn(oslo, oslo3);
            assertThat(two.router.candidate(null, null, oslo)).isSameAs(oslo);
        }

        @Test
        void aSessionWhoseLastReadWasOnTheMaster_getsAReplica_notTheMaster() throws SQLException {
            // The master marks "read the master last" (the barrier follows); in the local region it
            // looks as good a choice as a local replica, and once was taken for one.
            assertThat(master.region).isEqualTo("oslo");
            assertThat(router.candidate(null, null, master)).isSameAs(oslo);
        }
    }

    // ---- Reads: consistency levels, tokens, pins, fallbacks, monotonic moves. --------------------

    @Nested
    class Reads {

        final ConsistencySession session = new ConsistencySession(null, false, ticker);

        Router.Route read(Consistency c, ConsistencyToken token, Node candidate) throws SQLException {
            return router.read(c, false, token, session, candidate, false, ticker);
        }

        @Test
        void strong_readsTheMaster() throws SQLException {
            assertThat(read(Consistency.STRONG, ConsistencyToken.none(), oslo)).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.STRONG));
        }

        @Test
        void eventual_readsTheReplica_whateverTheToken() throws SQLException {
            ConsistencyToken token = ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis());
            assertThat(read(Consistency.EVENTUAL, token, oslo)).isSameAs(Router.Route.of(Router.Target.REPLICA, RouteReason.REPLICA));
        }

        @Test
        void readYourWrites_withoutAToken_readsTheReplica() throws SQLException {
            assertThat(read(Consistency.READ_YOUR_WRITES, ConsistencyToken.none(), oslo).target).isEqualTo(Router.Target.REPLICA);
        }

        @Test
        void readYourWrites_onAReplicaKnownToHaveTheToken_readsIt() throws SQLException {
            oslo.advance(gtid("0-1-100"));
            ConsistencyToken token = ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis());
            assertThat(read(Consistency.READ_YOUR_WRITES, token, oslo)).isSameAs(Router.Route.of(Router.Target.REPLICA, RouteReason.REPLICA));
        }

        @Test
        void readYourWrites_onAReplicaBehindTheToken_waitsThere() throws SQLException {
            oslo.advance(gtid("0-1-99"));
            ConsistencyToken token = ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis());
            assertThat(read(Consistency.READ_YOUR_WRITES, token, oslo)).isSameAs(Router.Route.of(Router.Target.WAIT, RouteReason.REPLICA_AFTER_WAIT));
        }

        @Test
        void readYourWrites_nextToTheMaster_readsItAtOnce_insteadOfWaiting() throws SQLException {
            master.rttNanos = 300_000L;
            oslo.rttNanos = 300_000L;
            oslo.lagNanos = Duration.ofMillis(40).toNanos();
            oslo.advance(gtid("0-1-99"));
            cluster.routed(RouteReason.WRITE);
            session.observeWrite(gtid("0-1-100"), ticker.read());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo))
                    .isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.MASTER_CHEAPER));
            ticker.advance(Duration.ofMillis(45));
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target)
                    .as("45 ms later the replica should have it: wait there").isEqualTo(Router.Target.WAIT);
        }

        @Test
        void readYourWrites_farFromTheMaster_waitsBrieflyOnTheLocalReplica() throws SQLException {
            master.rttNanos = Duration.ofMillis(40).toNanos();
            oslo.rttNanos = 300_000L;
            oslo.lagNanos = Duration.ofMillis(20).toNanos();
            oslo.advance(gtid("0-1-99"));
            cluster.routed(RouteReason.WRITE);
            session.observeWrite(gtid("0-1-100"), ticker.read());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).isEqualTo(Router.Target.WAIT);
        }

        @Test
        void readYourWrites_pastTheMasterBudget_waitsOnTheReplica() throws SQLException {
            master.rttNanos = 300_000L;
            oslo.lagNanos = Duration.ofMillis(40).toNanos();
            oslo.rttNanos = 300_000L;
            oslo.advance(gtid("0-1-99"));
            cluster.routed(RouteReason.WRITE); // one write: two reads' worth of budget
            session.observeWrite(gtid("0-1-100"), ticker.read());
            for (int i = 0; i < 2; i++) {
                assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).isEqualTo(Router.Target.MASTER);
            }
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).isEqualTo(Router.Target.WAIT);
            assertThat(cluster.stats().readYourWritesBudgetWaits()).isEqualTo(1);
        }

        @Test
        void readYourWrites_learnsAReplicasApplyDelay_fromItsWaits() throws SQLException {
            master.rttNanos = Duration.ofMillis(2).toNanos();
            oslo.rttNanos = 300_000L;
            oslo.lagNanos = 0; // the GTID timeline saw nothing behind: sparse writes
            oslo.advance(gtid("0-1-99"));
            cluster.routed(RouteReason.WRITE);
            session.observeWrite(gtid("0-1-100"), ticker.read());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).as("nothing known: wait").isEqualTo(Router.Target.WAIT);
            oslo.waited(Duration.ofMillis(4).toNanos(), 300_000L, false, Long.MAX_VALUE); // already there: seeds nothing
            assertThat(oslo.learnedApplyDelayNanos).isNegative();
            oslo.waited(Duration.ofMillis(40).toNanos(), Duration.ofMillis(39).toNanos(), false, Long.MAX_VALUE); // arrived during a 39 ms wait
            assertThat(oslo.applyDelayNanos()).isBetween(Duration.ofMillis(39).toNanos(), Duration.ofMillis(40).toNanos());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).as("now the master is cheaper").isEqualTo(Router.Target.MASTER);
            oslo.waited(Duration.ofMillis(10).toNanos(), Duration.ofMillis(50).toNanos(), true, Long.MAX_VALUE); // a timeout below what was learned: a lower bound, nothing new
            assertThat(oslo.applyDelayNanos()).isGreaterThan(Duration.ofMillis(39).toNanos());
            oslo.waited(Duration.ofSeconds(10).toNanos(), 300_000L, false, Long.MAX_VALUE); // read 10 s after its write: it was there at once
            assertThat(oslo.applyDelayNanos()).as("a late read teaches no long delay").isLessThan(Duration.ofMillis(40).toNanos());
            oslo.waited(Duration.ofMillis(5).toNanos(), 300_000L, false, Long.MAX_VALUE); // there within 5 ms of the write
            assertThat(oslo.applyDelayNanos()).as("at most that").isLessThanOrEqualTo(Duration.ofMillis(5).toNanos());
            long before = oslo.learnedApplyDelayNanos;
            oslo.waited(Duration.ofHours(6).toNanos(), Duration.ofMillis(50).toNanos(), true, Duration.ofSeconds(1).toNanos());
            assertThat(oslo.learnedApplyDelayNanos).as("a timeout pulls a quarter of the way to the cap")
                    .isEqualTo(before + (Duration.ofSeconds(1).toNanos() - before) / 4);
            long learned = oslo.learnedApplyDelayNanos;
            ticker.advance(Duration.ofSeconds(10));
            assertThat(oslo.applyDelayNanos()).as("two half-lives without a sample").isEqualTo(learned >> 2);
            ticker.advance(Duration.ofMinutes(5));
            assertThat(oslo.applyDelayNanos()).as("the monitor's lag takes over").isZero();
        }

        @Test
        void readYourWrites_withoutAnOwnWriteToReckonFrom_orForACall_waits() throws SQLException {
            master.rttNanos = 300_000L;
            oslo.rttNanos = 300_000L;
            oslo.lagNanos = Duration.ofMillis(40).toNanos();
            oslo.advance(gtid("0-1-99"));
            cluster.routed(RouteReason.WRITE);
            session.observe(ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis()));
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).as("an imported token: another clock").isEqualTo(Router.Target.WAIT);
            session.observeWrite(gtid("0-1-100"), ticker.read());
            assertThat(router.read(Consistency.READ_YOUR_WRITES, false, session.token(), session, oslo, false, false, ticker).target)
                    .as("a prepared call cannot move").isEqualTo(Router.Target.WAIT);
            master.rttNanos = 0;
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).as("a master not measured yet").isEqualTo(Router.Target.WAIT);
            assertThat(cluster.masterBudget.taken()).as("no budget spent on any of these").isZero();
            oslo.lagNanos = Duration.ofSeconds(2).toNanos();
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target)
                    .as("2 s behind: a wait would run out, so the master, within the budget").isEqualTo(Router.Target.MASTER);
        }

        @Test
        void afterAReadOnTheMaster_theReadAfterTheNextWrite_isPricedBeforeTheBarrier() throws SQLException {
            master.rttNanos = 300_000;
            oslo.rttNanos = 200_000;
            oslo.lagNanos = 40_000_000;
            session.readMaster(master);
            ticker.advance(Duration.ofMillis(1));
            cluster.routed(RouteReason.WRITE); // the budget's credit
            session.observeWrite(gtid("0-1-101"), ticker.read()); // its GTID came with the reply (MySQL C/J)
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo))
                    .as("next door, the master needs neither the barrier nor the wait")
                    .isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.MASTER_CHEAPER));
            master.rttNanos = 40_000_000; // far away: the barrier, then the wait
            ticker.advance(Duration.ofMillis(1));
            session.observeWrite(gtid("0-1-102"), ticker.read());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).isEqualTo(Router.Target.BARRIER);
        }

        @Test
        void afterAReadOnTheMaster_theNextReplicaReadPassesTheBarrier_evenAfterAWrite() throws SQLException {
            session.readMaster(master);
            assertThat(read(Consistency.READ_YOUR_WRITES, ConsistencyToken.none(), oslo).target).isEqualTo(Router.Target.BARRIER);
            ticker.advance(Duration.ofMillis(1));
            session.observeWrite(gtid("0-1-101"), ticker.read());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target)
                    .as("a write's GTID need not stand for what the master read saw (GTID-less writes, other domains)")
                    .isEqualTo(Router.Target.BARRIER);
        }

        @Test
        void readYourWrites_withoutAWait_fallsBackToTheMaster() throws SQLException {
            Cluster noWait = cluster(ReadYourWritesMode.GTID, Duration.ZERO, ReadFallback.MASTER);
            ConsistencyToken token = ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis());
            assertThat(noWait.router.read(Consistency.READ_YOUR_WRITES, false, token, session, oslo, false, ticker))
                    .isSameAs(Router.Route.of(Router.Target.FALLBACK, RouteReason.READ_YOUR_WRITES));
        }

        @Test
        void preparing_skipsTheReadYourWritesChecks() throws SQLException {
            ConsistencyToken token = ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis());
            assertThat(router.read(Consistency.READ_YOUR_WRITES, true, token, session, oslo, false, ticker).target)
                    .isEqualTo(Router.Target.REPLICA);
            assertThat(router.read(Consistency.STRONG, true, token, session, oslo, false, ticker).target)
                    .isEqualTo(Router.Target.MASTER);
        }

        @Test
        void noReplica_fallsBackToTheMaster_orFailsWhenToldTo() throws SQLException {
            assertThat(read(Consistency.READ_YOUR_WRITES, ConsistencyToken.none(), null))
                    .isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.NO_REPLICA));
            Cluster failing = cluster(ReadYourWritesMode.GTID, Duration.ofMillis(50), ReadFallback.FAIL);
            oslo.health = Health.DOWN;
            assertThatThrownBy(() -> failing.router.read(Consistency.EVENTUAL, false, ConsistencyToken.none(), session, null, false, ticker))
                    .hasMessage("test: no replica could serve the read (replicas=4, up=4, saturated=1) and readFallback is FAIL");
        }

        @Test
        void movingToAnotherReplica_firstLearnsTheMastersPosition_once() throws SQLException {
            session.lastReplica(frankfurt);
            ConsistencyToken none = ConsistencyToken.none();
            assertThat(read(Consistency.READ_YOUR_WRITES, none, oslo).target).isEqualTo(Router.Target.BARRIER);
            assertThat(router.read(Consistency.READ_YOUR_WRITES, false, none, session, oslo, true, ticker).target)
                    .isEqualTo(Router.Target.REPLICA);
            assertThat(read(Consistency.READ_YOUR_WRITES, none, frankfurt).target).as("staying: no barrier").isEqualTo(Router.Target.REPLICA);
            assertThat(read(Consistency.EVENTUAL, none, oslo).target).as("eventual reads are not monotonic").isEqualTo(Router.Target.REPLICA);
        }

        @Test
        void pinMode_readsTheMasterForTheWindow_thenReplicas() throws SQLException {
            Cluster pin = cluster(ReadYourWritesMode.PIN, Duration.ofMillis(50), ReadFallback.MASTER);
            session.observeWrite(GtidSet.empty(), ticker.read());
            ConsistencyToken token = session.token();
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, token, session, oslo, false, ticker))
                    .isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.READ_YOUR_WRITES));
            ticker.advance(Duration.ofMillis(99));
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, token, session, oslo, false, ticker).target)
                    .isEqualTo(Router.Target.MASTER);
            ticker.advance(Duration.ofMillis(1));
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, token, session, oslo, false, ticker).target)
                    .as("the 100 ms minimum window has passed").isEqualTo(Router.Target.REPLICA);
        }

        @Test
        void pinWindow_followsTheMeasuredLag() throws SQLException {
            Cluster pin = cluster(ReadYourWritesMode.PIN, Duration.ofMillis(50), ReadFallback.MASTER);
            for (int i = 0; i < 100; i++) {
                pin.pinWindow.record(Duration.ofMillis(400).toNanos(), ticker.read());
            }
            pin.pinWindow.publish(pin.replicas);
            session.observeWrite(GtidSet.empty(), ticker.read());
            ticker.advance(Duration.ofMillis(700));
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, session.token(), session, oslo, false, ticker).target)
                    .as("twice the p99 of 400 ms").isEqualTo(Router.Target.MASTER);
            ticker.advance(Duration.ofMillis(110));
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, session.token(), session, oslo, false, ticker).target)
                    .isEqualTo(Router.Target.REPLICA);
        }

        @Test
        void aMasterWithoutGtids_turnsGtidModeIntoPin_andBackWhenItHasThemAgain() throws SQLException {
            oslo.advance(gtid("0-1-100"));
            ConsistencyToken token = ConsistencyToken.of(gtid("0-1-100"), System.currentTimeMillis());
            session.observeWrite(gtid("0-1-100"), ticker.read());
            assertThat(cluster.mode()).isEqualTo(ReadYourWritesMode.GTID);
            assertThat(read(Consistency.READ_YOUR_WRITES, token, oslo).target).as("the replica has the write").isEqualTo(Router.Target.REPLICA);
            master.writesGtids(false); // MySQL with gtid_mode=OFF: no position can be waited on
            assertThat(cluster.mode()).isEqualTo(ReadYourWritesMode.PIN);
            assertThat(read(Consistency.READ_YOUR_WRITES, token, oslo).target).as("pinned by time").isEqualTo(Router.Target.MASTER);
            ticker.advance(Duration.ofMillis(100));
            assertThat(read(Consistency.READ_YOUR_WRITES, token, oslo).target).as("after the window").isEqualTo(Router.Target.REPLICA);
            master.writesGtids(true);
            assertThat(cluster.mode()).isEqualTo(ReadYourWritesMode.GTID);
            assertThat(cluster(ReadYourWritesMode.PIN, Duration.ofMillis(50), ReadFallback.MASTER).mode())
                    .as("PIN stays PIN").isEqualTo(ReadYourWritesMode.PIN);
        }

        @Test
        void aTokenWithoutAPosition_pinsEvenInGtidMode() throws SQLException {
            session.observeWrite(GtidSet.empty(), ticker.read());
            assertThat(read(Consistency.READ_YOUR_WRITES, session.token(), oslo).target).isEqualTo(Router.Target.MASTER);
        }

        @Test
        void anUnknownPosition_pinsTheSession_untilTheWindowEnds_unlessTheMasterIsDown() throws SQLException {
            master.dialect = null; // a master not heard yet
            session.unknownPosition(cluster, ticker.read());
            ConsistencyToken none = ConsistencyToken.none(); // even a token that says nothing
            assertThat(read(Consistency.READ_YOUR_WRITES, none, oslo)).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.READ_YOUR_WRITES));
            assertThat(read(Consistency.EVENTUAL, none, oslo).target).as("eventual reads ignore pins").isEqualTo(Router.Target.REPLICA);
            master.markDown(new SQLException("refused", "08001"));
            assertThat(read(Consistency.READ_YOUR_WRITES, none, oslo).target).as("a master that is down cannot serve").isEqualTo(Router.Target.REPLICA);
            ticker.advance(Duration.ofSeconds(2)); // the master is due for a retry again, the pin is over
            assertThat(read(Consistency.READ_YOUR_WRITES, none, oslo).target).isEqualTo(Router.Target.REPLICA);
        }

        @Test
        void anImportedToken_pinsFromItsWritersTime_onThisTicker() throws SQLException {
            Cluster pin = cluster(ReadYourWritesMode.PIN, Duration.ofMillis(50), ReadFallback.MASTER);
            session.importToken(ConsistencyToken.of(GtidSet.empty(), System.currentTimeMillis() - 60).export());
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, session.token(), session, oslo, false, ticker).target)
                    .isEqualTo(Router.Target.MASTER);
            ticker.advance(Duration.ofMillis(45));
            assertThat(pin.router.read(Consistency.READ_YOUR_WRITES, false, session.token(), session, oslo, false, ticker).target)
                    .as("written ~105 ms ago by the other instance's clock").isEqualTo(Router.Target.REPLICA);
        }
    }

    @Test
    void routes_arePreallocatedConstants() throws SQLException {
        assertThat(place("SELECT 1")).isSameAs(place("SELECT 2"));
        assertThat(Router.Route.of(Router.Target.MASTER, RouteReason.WRITE)).isSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.WRITE));
        assertThat(Router.Route.pinning(Router.Target.MASTER, RouteReason.WRITE)).isNotSameAs(Router.Route.of(Router.Target.MASTER, RouteReason.WRITE));
    }
}
