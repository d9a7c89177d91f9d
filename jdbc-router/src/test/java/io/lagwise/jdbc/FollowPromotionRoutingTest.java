package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lagwise.core.Health;
import io.lagwise.core.NodeRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What routing does when the monitor follows a promotion, refuses writes, or finds a server gone,
 * with fake servers: where each statement goes, what is never sent, and how fast a borrow gives up.
 */
class FollowPromotionRoutingTest {

    final FakeCluster fc = new FakeCluster();

    @AfterEach
    void close() throws SQLException {
        fc.close();
    }

    @Test
    void afterAPromotionIsFollowed_writesGoToTheNewMaster_andNothingMoreToTheOldOne() throws SQLException {
        Connection c = fc.connect();
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.replicaNode(1));
        FakeCluster.update(c, "UPDATE t SET v = 2");
        FakeCluster.update(c, "UPDATE t SET v = 3");
        assertThat(fc.ran()).filteredOn(s -> s.contains("UPDATE"))
                .containsExactly("master: UPDATE t SET v = 1", "oslo-1: UPDATE t SET v = 2", "oslo-1: UPDATE t SET v = 3");
        assertThat(fc.masterNode.role).isEqualTo(NodeRole.REPLICA);
        assertThat(fc.replicaNode(1).role).isEqualTo(NodeRole.MASTER);
        assertThat(fc.cluster.replicas).containsExactly(fc.masterNode, fc.replicaNode(2));
        assertThat(fc.cluster.masterChanges()).isEqualTo(1);
        assertThat(fc.replicaNode(1).label()).isEqualTo("master oslo-1:3306");
        assertThat(fc.masterNode.label()).isEqualTo("replica master:3306 (oslo)");
    }

    @Test
    void aTransactionOnTheOldMaster_isLostWithAClearError_andItsCommitNeverSent() throws SQLException {
        Connection c = fc.connect();
        c.setAutoCommit(false);
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.replicaNode(2));
        assertThatThrownBy(c::commit).isInstanceOf(SQLTransactionRollbackException.class).hasMessage(
                "test: the transaction was lost with the connection to master:3306, which is no longer the master"
                        + " (master oslo-2:3306 is); roll back, then run it again");
        assertThat(fc.master.calls()).extracting(FakeServer.Call::method).doesNotContain("commit");
        c.rollback();
        FakeCluster.update(c, "UPDATE t SET v = 2");
        c.commit();
        assertThat(fc.ran()).filteredOn(s -> s.contains("UPDATE"))
                .containsExactly("master: UPDATE t SET v = 1", "oslo-2: UPDATE t SET v = 2");
    }

    @Test
    void aTransactionOnTheOldMaster_failsItsNextStatementToo_andAutoCommitOnDoesNotCommitIt() throws SQLException {
        Connection c = fc.connect();
        c.setAutoCommit(false);
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.replicaNode(1));
        assertThatThrownBy(() -> FakeCluster.update(c, "UPDATE t SET v = 2")).isInstanceOf(SQLTransactionRollbackException.class)
                .hasMessageContaining("which is no longer the master (master oslo-1:3306 is)");
        assertThatThrownBy(() -> c.setAutoCommit(true)).isInstanceOf(SQLTransactionRollbackException.class);
        assertThat(fc.master.calls()).extracting(FakeServer.Call::text).doesNotContain("commit()", "setAutoCommit(true)");
        FakeCluster.update(c, "UPDATE t SET v = 3");
        assertThat(fc.ran()).filteredOn(s -> s.contains("UPDATE"))
                .containsExactly("master: UPDATE t SET v = 1", "oslo-1: UPDATE t SET v = 3");
    }

    @Test
    void rolesThatFlipBack_areFollowedBack() throws SQLException {
        Connection c = fc.connect();
        fc.cluster.follow(fc.replicaNode(1));
        FakeCluster.update(c, "UPDATE t SET v = 1");
        fc.cluster.follow(fc.masterNode);
        FakeCluster.update(c, "UPDATE t SET v = 2");
        assertThat(fc.ran()).filteredOn(s -> s.contains("UPDATE"))
                .containsExactly("oslo-1: UPDATE t SET v = 1", "master: UPDATE t SET v = 2");
        assertThat(fc.cluster.replicas).containsExactly(fc.replicaNode(1), fc.replicaNode(2));
    }

    @Test
    void writesRefused_failAtOnceWithTheReason_whileReadsGoOn() throws SQLException {
        Connection c = fc.connect();
        fc.cluster.writesRefused = "split brain: master:3306 (the master until now) and oslo-1:3306 are all writable";
        assertThatThrownBy(() -> FakeCluster.update(c, "UPDATE t SET v = 1")).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessage("test: write refused: split brain: master:3306 (the master until now) and oslo-1:3306 are all writable")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08004");
        assertThat(FakeCluster.query(c, "SELECT 1")).isEqualTo("1");
        c.setAutoCommit(false);
        assertThatThrownBy(() -> FakeCluster.update(c, "INSERT INTO t VALUES (1)")).hasMessageContaining("write refused");
        c.rollback();
        c.setAutoCommit(true);
        fc.cluster.writesRefused = null;
        FakeCluster.update(c, "UPDATE t SET v = 2");
        assertThat(fc.ran()).filteredOn(s -> s.contains("UPDATE") || s.contains("INSERT")).containsExactly("master: UPDATE t SET v = 2");
    }

    @Test
    void aReadOnlyRefusal_fromTheMaster_namesItAndSaysNothingWasRunAgain() throws SQLException {
        Connection c = fc.connect();
        fc.master.failNext("UPDATE", new SQLException("The MariaDB server is running with the --read-only option so it cannot execute this statement", "HY000", 1290));
        assertThatThrownBy(() -> FakeCluster.update(c, "UPDATE t SET v = 1"))
                .hasMessageStartingWith("test: master master:3306 refused the write, being read-only (a switchover under way?")
                .hasMessageContaining("it was not run again: The MariaDB server is running with the --read-only option")
                .extracting(e -> ((SQLException) e).getErrorCode()).isEqualTo(1290);
        assertThat(fc.ran()).filteredOn(s -> s.contains("UPDATE")).hasSize(1);
    }

    @Test
    void aNodeTheMonitorFindsDown_isNotRetriedByBorrows_untilTheMonitorFindsItBack() {
        Node master = fc.masterNode;
        master.markDown(new SQLException("Connection refused", "08001"));
        master.health = Health.DOWN;
        master.unreachable = true;
        fc.ticker.advance(Duration.ofSeconds(5));
        assertThat(master.available()).as("past the backoff, but the monitor cannot reach it").isFalse();
        master.unreachable = false;
        assertThat(master.available()).as("the monitor refused (its own credentials): borrows retry after the backoff").isTrue();
        master.unreachable = true;
        master.health = Health.UP;
        assertThat(master.available()).as("down by a borrow only: retried after the backoff").isTrue();
    }

    @Test
    void aBorrowWaitingForAConnectionToADeadServer_failsAsSoonAsTheNodeIsFoundDown() throws Exception {
        FakeServer dead = new FakeServer("dead", 9, fc.journal, new java.util.concurrent.atomic.AtomicInteger(100));
        dead.refuseConnections = true;
        HikariConfig config = new HikariConfig();
        config.setDataSource(dead.dataSource());
        config.setPoolName("fake.dead");
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(10_000); // a pool that would wait this long
        Node node = new Node("test", JdbcUrl.parse("jdbc:mariadb://dead:3306/app"), NodeRole.MASTER, "oslo", false, config,
                new Properties(), io.lagwise.core.Ticker.system());
        try {
            AtomicBoolean interruptedAfter = new AtomicBoolean(true);
            CompletableFuture<SQLException> borrow = CompletableFuture.supplyAsync(() -> {
                try {
                    node.borrow();
                    return null;
                } catch (SQLException e) {
                    interruptedAfter.set(Thread.currentThread().isInterrupted());
                    return e;
                }
            });
            Thread.sleep(300); // waiting in the pool
            assertThat(borrow).isNotDone();
            long marked = System.nanoTime();
            node.markDown(new SQLException("Connection refused", "08001"));
            SQLException e = borrow.get(2, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - marked)).isLessThan(Duration.ofMillis(500));
            assertThat((Throwable) e).isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessage("master dead:3306 (it went down while this waited for a connection to it: Connection refused)");
            assertThat(interruptedAfter).as("the wake-up does not leak into the thread's interrupt status").isFalse();
        } finally {
            node.close();
        }
    }

    @Test
    void statementsRunningOnANodeThatStoppedAnswering_areAborted_idleOnesAreNot() throws Exception {
        Node node = fc.replicaNode(1);
        Connection running = node.borrow();
        Connection idle = node.borrow();
        node.lease(running).executingSince = 42;
        assertThat(node.abortRunning()).isEqualTo(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<FakeServer.Call> aborts = List.of();
        while (aborts.isEmpty() && System.nanoTime() - deadline < 0) { // aborted on a thread of its own
            Thread.onSpinWait();
            aborts = fc.replica(1).calls().stream().filter(c -> c.method().equals("abort")).toList();
        }
        assertThat(aborts).hasSize(1);
        node.evict(running);
        node.release(idle);
    }

    @Test
    void aRoleChange_givesTheNodeTheOtherRolesPool_andClosesTheOldOneOnceItsConnectionsAreBack() throws Exception {
        Node node = fc.replicaNode(1);
        HikariDataSource replicaPool = node.pool;
        Connection held = node.borrow();
        fc.cluster.follow(node);
        assertThat(node.pool).isNotSameAs(replicaPool);
        assertThat(replicaPool.isClosed()).as("a connection of it is still out").isFalse();
        node.evict(held); // evicted from the pool that lent it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!replicaPool.isClosed() && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertThat(replicaPool.isClosed()).isTrue();
        assertThat(node.inFlight()).isZero();
    }
}
