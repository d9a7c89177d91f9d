package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Following promotions in the topologies users run, offline: the real {@link ReplicaMonitor} over
 * {@link MonitorFakes}, the real routing over {@link FakeCluster}. A writable replica stopped by a DBA,
 * active/passive and writable master-master pairs, chained replication, a split brain against every
 * kind of statement, a follow awaiting confirmation, the timeline across a follow, a frozen commit.
 */
class FollowPromotionTopologiesTest {

    FakeCluster fc;
    ReplicaMonitor monitor;

    @BeforeEach
    void install() throws SQLException {
        MonitorFakes.install();
    }

    @AfterEach
    void uninstall() throws SQLException {
        if (monitor != null) {
            monitor.close();
        }
        try {
            if (fc != null) {
                fc.close();
            }
        } finally {
            MonitorFakes.uninstall();
        }
    }

    ReplicaMonitor monitor() {
        return new ReplicaMonitor(fc.cluster, fc.ticker, Duration.ofMillis(250), Duration.ofMillis(200), Duration.ofSeconds(1),
                null, "lagwise_heartbeat", List.of(), true);
    }

    /** Writes once; what happened, as "ok" or the error message. */
    static String tryWrite(Connection c, String sql) {
        try {
            FakeCluster.update(c, sql);
            return "ok";
        } catch (SQLException e) {
            return "refused: " + e.getMessage();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Replicas with replication stopped (STOP SLAVE, or skip_replica_start after a restart) and writable
    // (read_only is OFF by default on MariaDB and MySQL): source() says 0, "follows nothing".

    /** Master + one writable replica; the DBA runs STOP SLAVE on the replica (maintenance, backup). No failover at all. */
    @Test
    void stopSlaveOnTheOnlyWritableReplica_mustNotRefuseWritesToTheHealthyMaster() throws SQLException {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, false, 1); // writable replica of server 1
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        monitor = monitor();
        monitor.probeAllOnce();
        assertThat(fc.cluster.writesRefused).as("steady state").isNull();
        r1.ioRunning = "No";
        r1.sqlRunning = "No"; // STOP SLAVE
        monitor.probeAllOnce();
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        assertThat(fc.cluster.master).isSameAs(fc.masterNode);
        assertThat(outcome).as("a write to the only master, whose replica merely stopped replicating").isEqualTo("ok");
    }

    /**
     * Master + 2 replicas; oslo-1 is writable and restarted with skip_replica_start (both threads No).
     * The master then restarts (a few seconds of silence). oslo-2 is read-only and Connecting.
     */
    @Test
    void aWritableReplicaWithReplicationStopped_isNotFollowedWhileTheMasterRestarts() throws SQLException {
        fc = new FakeCluster(2, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, false, 1);
        MonitorFakes.Server r2 = new MonitorFakes.Server(3, true, 1);
        r1.ioRunning = "No";
        r1.sqlRunning = "No";
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        MonitorFakes.SERVERS.put("oslo-2", r2);
        monitor = monitor();
        monitor.probeAllOnce();
        assertThat(fc.cluster.master).isSameAs(fc.masterNode);
        assertThat(fc.cluster.writesRefused).as("master has one follower, oslo-1 none").isNull();
        // the master restarts
        master.down = true;
        r2.ioRunning = "Connecting";
        monitor.probeAllOnce();
        monitor.probeAllOnce(); // the confirming round
        master.down = false; // back a moment later
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        List<String> onR1 = fc.ran().stream().filter(s -> s.startsWith("oslo-1: UPDATE")).toList();
        assertThat(onR1).as("write outcome " + outcome + "; master now " + fc.cluster.master
                + "; no write may land on the stopped replica").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Master-master pairs

    /** Active/passive pair (read-only passive); the passive one goes down: the active master must keep taking writes. */
    @Test
    void activePassive_passiveDown_activeKeepsTakingWrites() throws SQLException {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, 2);
        MonitorFakes.Server passive = new MonitorFakes.Server(2, true, 1);
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", passive);
        monitor = monitor();
        monitor.probeAllOnce();
        assertThat(fc.cluster.writesRefused).as("steady state").isNull();
        passive.down = true; // restarted, crashed, or partitioned
        monitor.probeAllOnce(); // the master's IO thread has not noticed yet
        String whileIoYes = fc.cluster.writesRefused;
        master.ioRunning = "Connecting"; // and now it has
        monitor.probeAllOnce();
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        assertThat(new String[] {whileIoYes, fc.cluster.writesRefused}).as("write outcome: " + outcome).containsOnlyNulls();
    }

    /** Master-master with both writable (MariaDB's read_only default OFF on the standby); app writes to one only. */
    @Test
    void masterMasterWithWritableStandby_writesAreNotRefused() throws SQLException {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.SERVERS.put("master", new MonitorFakes.Server(1, false, 2));
        MonitorFakes.SERVERS.put("oslo-1", new MonitorFakes.Server(2, false, 1));
        monitor = monitor();
        monitor.probeAllOnce();
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        assertThat(outcome).as(String.valueOf(fc.cluster.writesRefused)).isEqualTo("ok");
    }

    // ---------------------------------------------------------------------------------------------
    // Chained replication: the configured master replicates from a server outside the configuration

    /** The master is an intermediate (replicates from server 99, not configured); one replica is down at start. */
    @Test
    void chainedMaster_oneReplicaDownSinceStart_writesNotRefused() throws SQLException {
        fc = new FakeCluster(2, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.SERVERS.put("master", new MonitorFakes.Server(1, false, 99));
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, true, 1);
        r1.down = true;
        MonitorFakes.SERVERS.put("oslo-1", r1);
        MonitorFakes.SERVERS.put("oslo-2", new MonitorFakes.Server(3, true, 1));
        monitor = monitor();
        monitor.probeAllOnce();
        monitor.probeAllOnce();
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        assertThat(outcome).as(String.valueOf(fc.cluster.writesRefused)).isEqualTo("ok");
    }

    /** The same intermediate master, all configured nodes up, its upstream link drops (IO Connecting). */
    @Test
    void chainedMaster_upstreamLinkDown_writesNotRefused() throws SQLException {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, 99);
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", new MonitorFakes.Server(2, true, 1));
        monitor = monitor();
        monitor.probeAllOnce();
        assertThat(fc.cluster.writesRefused).as("steady state").isNull();
        master.ioRunning = "Connecting";
        monitor.probeAllOnce();
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        assertThat(outcome).as(String.valueOf(fc.cluster.writesRefused)).isEqualTo("ok");
    }

    // ---------------------------------------------------------------------------------------------
    // Writes that escape Cluster.writesRefused (checked only for StatementKind.WRITE)

    @Test
    void duringASplitBrain_noWriteOfAnyKindReachesTheMaster() throws SQLException {
        fc = new FakeCluster();
        fc.cluster.writesRefused = "split brain: master:3306 (the master until now) and oslo-1:3306 are all writable";
        Connection c = fc.connect();
        List<String> outcomes = new ArrayList<>();
        outcomes.add("hinted UPDATE: " + tryWrite(c, "/* lagwise:master */ UPDATE t SET v = 1"));
        outcomes.add("PREPARE: " + tryWrite(c, "PREPARE s FROM 'DELETE FROM t'"));
        outcomes.add("EXECUTE: " + tryWrite(c, "EXECUTE s"));
        outcomes.add("DO: " + tryWrite(c, "DO (SELECT NEXT VALUE FOR seq)"));
        outcomes.add("multi: " + tryWrite(c, "SET @a = 1; UPDATE t SET v = 3"));
        try (java.sql.Statement st = c.createStatement()) {
            st.addBatch("SET @b = 1");
            st.addBatch("UPDATE t SET v = 4");
            st.executeBatch();
            outcomes.add("batch: ok");
        } catch (SQLException e) {
            outcomes.add("batch: refused: " + e.getMessage());
        }
        List<String> reached = fc.ran().stream().filter(s -> s.startsWith("master: ")).toList();
        assertThat(reached).as("statements that reached the (split-brain) master; outcomes " + outcomes).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // The confirmation window: the monitor has seen the current master disqualified, writes still go there

    /**
     * A failover while the old master is cut off from the replicas (and the failover tool) but not from
     * the application: oslo-1 promoted, oslo-2 re-pointed to it, the old master still writable. The
     * first round of probes already says FOLLOW oslo-1; until the confirming round, writes go on
     * landing on the old master, where no replica will ever see them.
     */
    @Test
    void whileAFollowAwaitsConfirmation_noWriteGoesToTheMasterAlreadySeenDeposed() throws SQLException {
        fc = new FakeCluster(2, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, true, 1);
        MonitorFakes.Server r2 = new MonitorFakes.Server(3, true, 1);
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        MonitorFakes.SERVERS.put("oslo-2", r2);
        monitor = monitor();
        monitor.probeAllOnce();
        assertThat(fc.cluster.writesRefused).isNull();
        r1.readOnly = false;
        r1.sourceId = -1; // promoted: RESET SLAVE ALL
        r2.sourceId = 2; // re-pointed to oslo-1
        monitor.probeAllOnce(); // every node has now said so
        String outcome = tryWrite(fc.connect(), "UPDATE t SET v = 1");
        List<String> onOld = fc.ran().stream().filter(x -> x.startsWith("master: UPDATE")).toList();
        assertThat(onOld).as("outcome " + outcome + ", writesRefused " + fc.cluster.writesRefused + ", master " + fc.cluster.master
                + ": a write sent to the old master after every node said oslo-1 is the master").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Stale reads after a follow: the GTID timeline starts over empty

    /**
     * oslo-2 is 10 s behind (LAGGING) when the master dies; oslo-1 is promoted; oslo-2 is not re-pointed
     * yet (its IO thread Connecting to the dead master). After the follow, the new timeline knows
     * nothing older than the new master's first probe, so oslo-2 is judged fresh and takes reads.
     */
    @Test
    void aReplicaTenSecondsBehind_isNotJudgedFreshBecauseAFollowResetTheTimeline() throws SQLException {
        fc = new FakeCluster(2, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, true, 1);
        MonitorFakes.Server r2 = new MonitorFakes.Server(3, true, 1);
        master.position = "0-1-100";
        r1.position = "0-1-100";
        r2.position = "0-1-40";
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        MonitorFakes.SERVERS.put("oslo-2", r2);
        monitor = monitor();
        monitor.probeAllOnce();
        fc.ticker.advance(Duration.ofSeconds(10));
        monitor.probeAllOnce();
        assertThat(fc.replicaNode(2).health).as("10 s behind before the failover").isEqualTo(io.lagwise.core.Health.LAGGING);
        // the master dies; oslo-1 is promoted; oslo-2 still points at the dead master
        master.down = true;
        r1.readOnly = false;
        r1.sourceId = -1;
        r2.ioRunning = "Connecting";
        monitor.probeAllOnce();
        monitor.probeAllOnce();
        assertThat(fc.cluster.master).as("followed").isSameAs(fc.replicaNode(1));
        monitor.probeAllOnce(); // the new master's first probe as master, and oslo-2's
        Connection c = fc.connect();
        c.setReadOnly(true);
        FakeCluster.query(c, "SELECT v FROM t");
        String ranOn = fc.ran().get(fc.ran().size() - 1);
        assertThat(fc.replicaNode(2).health).as("oslo-2 lag " + fc.replicaNode(2).lagNanos / 1e6 + " ms; the read ran on " + ranOn
                + "; oslo-2 is still 60 transactions and >10 s behind, replicating from nothing").isNotEqualTo(io.lagwise.core.Health.UP);
    }

    // ---------------------------------------------------------------------------------------------
    // abortRunning (on a probe timeout) frees statements, but not a commit hanging on a frozen master

    @Test
    void aCommitHangingOnAFrozenMaster_isAbortedLikeAStatement() throws Exception {
        fc = new FakeCluster();
        Connection c = fc.connect();
        c.setAutoCommit(false);
        FakeCluster.update(c, "UPDATE t SET v = 1");
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Runnable hang = () -> {
            entered.countDown();
            try {
                release.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        // sanity: a hanging statement is aborted
        Connection c2 = fc.connect();
        fc.master.failNext("UPDATE t SET v = 2", FakeServer.socketTimeout(), hang);
        Thread s = new Thread(() -> tryWrite(c2, "UPDATE t SET v = 2"));
        s.start();
        assertThat(entered.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        int abortedStatement = fc.masterNode.abortRunning();
        release.countDown();
        s.join(5000);
        // the commit
        java.util.concurrent.CountDownLatch entered2 = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release2 = new java.util.concurrent.CountDownLatch(1);
        fc.master.failOn("commit", FakeServer.socketTimeout(), () -> {
            entered2.countDown();
            try {
                release2.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread t = new Thread(() -> {
            try {
                c.commit();
            } catch (SQLException e) {
                // expected
            }
        });
        t.start();
        assertThat(entered2.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        int abortedCommit = fc.masterNode.abortRunning();
        release2.countDown();
        t.join(5000);
        assertThat(abortedStatement).as("sanity: the hanging UPDATE was aborted").isEqualTo(1);
        assertThat(abortedCommit).as("the hanging commit is aborted too").isEqualTo(1);
    }
}
