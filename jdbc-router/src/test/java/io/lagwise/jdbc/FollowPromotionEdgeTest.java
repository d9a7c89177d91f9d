package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edges a hostile review of following promotions found, with fake servers: SQL transactions and
 * session state on a deposed master, reads while writes are refused, what error 1290 means, the
 * read after a promotion, and a borrow waiting on a node already marked down.
 */
class FollowPromotionEdgeTest {

    final FakeCluster fc = new FakeCluster();

    @AfterEach
    void close() throws SQLException {
        fc.close();
    }

    /** A transaction opened in SQL (BEGIN) on the master; a promotion is followed mid-way. */
    @Test
    void aTransactionOpenedInSql_isLostWithTheOldMaster_notFinishedOnTheNewOne() throws SQLException {
        Connection c = fc.connect();
        FakeCluster.update(c, "BEGIN");
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.replicaNode(1));
        Throwable t = null;
        try {
            FakeCluster.update(c, "UPDATE t SET v = 2");
            FakeCluster.update(c, "COMMIT");
        } catch (SQLException e) {
            t = e;
        }
        assertThat(t).as("the rest of the SQL transaction must not silently run on another server").isNotNull();
    }

    /** The same with JDBC commit() after SET autocommit = 0 in SQL. */
    @Test
    void commitOfAnSqlTransactionOnTheOldMaster_fails() throws SQLException {
        Connection c = fc.connect();
        FakeCluster.update(c, "SET autocommit = 0");
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.replicaNode(1));
        Throwable t = null;
        try {
            c.commit();
        } catch (SQLException e) {
            t = e;
        }
        assertThat(t).as("commit() of a transaction lost on the old master must fail").isNotNull();
    }

    /** While writes are refused (read-only master mid-switchover), reads the application pins to the master fail too. */
    @Test
    void whileWritesAreRefused_onlyPlainReadsRunOnTheMaster() throws SQLException {
        RoutingConnection c = fc.connect();
        fc.cluster.writesRefused = "master master:3306 is read-only, and no other configured node is writable without replicating from one";
        String[] outcomes = new String[3];
        try {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("/* lagwise:master */ SELECT v FROM t");
            }
            outcomes[0] = "hinted read ran";
        } catch (SQLException e) {
            outcomes[0] = "hinted read refused: " + e.getMessage();
        }
        try {
            FakeCluster.update(c, "SET time_zone = '+00:00'");
            outcomes[1] = "SET ran";
        } catch (SQLException e) {
            outcomes[1] = "SET refused: " + e.getMessage();
        }
        c.useMaster();
        try {
            outcomes[2] = "useMaster read ran: " + FakeCluster.query(c, "SELECT v FROM t");
        } catch (SQLException e) {
            outcomes[2] = "useMaster read refused: " + e.getMessage();
        }
        // a hinted statement or session text may write: refused, naming why; a plain read runs
        assertThat(outcomes[0]).startsWith("hinted read refused: test: write refused: master master:3306 is read-only");
        assertThat(outcomes[1]).startsWith("SET refused: test: write refused:");
        assertThat(outcomes[2]).startsWith("useMaster read ran");
    }

    /** 1290 is not only read_only: --secure-file-priv raises it too. */
    @Test
    void error1290ForAnotherOption_isNotCalledReadOnly() throws SQLException {
        Connection c = fc.connect();
        fc.master.failNext("SELECT", new SQLException("The MySQL server is running with the --secure-file-priv option so it cannot execute this statement", "HY000", 1290));
        try {
            FakeCluster.query(c, "SELECT * FROM t INTO OUTFILE '/tmp/x.csv'");
        } catch (SQLException e) {
            assertThat(e.getMessage()).doesNotContain("read-only");
            return;
        }
        throw new AssertionError("no error");
    }

    /** After a write, the old master freezes and a promotion is followed; the session's next read. */
    @Test
    void theReadAfterAFollow_neverAsksTheOldMasterForTheWritesPosition() throws SQLException {
        Connection c = fc.connect();
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.replicaNode(1));
        Runnable frozen = () -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        fc.master.failNext("SELECT @@last_gtid", FakeServer.socketTimeout(), frozen);
        fc.master.failNext("SELECT @@gtid_binlog_pos", FakeServer.socketTimeout(), frozen);
        int before = fc.ran().size();
        long t0 = System.nanoTime();
        FakeCluster.query(c, "SELECT v FROM t");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(500);
    }

    /** The node was already marked down by a borrow; the monitor's DOWN verdict then wakes nobody. */
    @Test
    void aBorrowWaiting_isWokenWhenTheMonitorFindsTheNodeDown_evenIfABorrowHadAlready() throws Exception {
        FakeServer dead = new FakeServer("dead", 9, fc.journal, new java.util.concurrent.atomic.AtomicInteger(100));
        dead.refuseConnections = true;
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(dead.dataSource());
        config.setPoolName("fake.dead2");
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(3_000); // Lagwise's default pool connection timeout
        Node node = new Node("test", JdbcUrl.parse("jdbc:mariadb://dead:3306/app"), io.lagwise.core.NodeRole.MASTER, "oslo", false,
                config, new java.util.Properties(), io.lagwise.core.Ticker.system());
        try {
            node.markDown(new SQLException("Connection refused", "08001")); // an earlier borrow found it gone
            Thread.sleep(1_100); // its retry is due; the monitor has not judged yet (probe timeout 1 s)
            assertThat(node.available()).isTrue();
            java.util.concurrent.CompletableFuture<Long> borrow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                long t0 = System.nanoTime();
                try {
                    node.borrow();
                } catch (SQLException e) {
                }
                return (System.nanoTime() - t0) / 1_000_000;
            });
            Thread.sleep(200);
            long marked = System.nanoTime();
            node.health = io.lagwise.core.Health.DOWN; // what ReplicaMonitor.judge does
            node.markDown(new SQLException("Connection refused", "08001"));
            long took = borrow.get(10, java.util.concurrent.TimeUnit.SECONDS);
            long afterMark = (System.nanoTime() - marked) / 1_000_000;
            assertThat(afterMark).isLessThan(500);
        } finally {
            node.close();
        }
    }
}
