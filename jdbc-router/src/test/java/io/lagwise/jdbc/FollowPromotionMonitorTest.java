package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Health;
import io.lagwise.core.NodeRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor's election with the real {@link ReplicaMonitor} over fake servers ({@link MonitorFakes}):
 * a master that never answered, heartbeats across a switchover and a split brain, a probe in flight
 * during a promotion, and an active/passive master-master pair.
 */
class FollowPromotionMonitorTest {

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
        if (fc != null) {
            fc.close();
        }
        MonitorFakes.uninstall();
    }

    ReplicaMonitor monitor(Duration interval, Duration heartbeat) {
        return new ReplicaMonitor(fc.cluster, fc.ticker, interval, Duration.ofMillis(200), Duration.ofSeconds(1),
                heartbeat, "lagwise_heartbeat", List.of(), true);
    }

    /** Degraded start: the master does not answer the first probes; its replica is writable (MariaDB's default read_only=OFF). */
    @Test
    void aWritableReplicaOfAMasterThatNeverAnswered_isNotFollowed() throws SQLException {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        master.down = true;
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, false, 1); // replicates from server 1
        r1.ioRunning = "Connecting";
        MonitorFakes.SERVERS.put("oslo-1", r1);
        monitor = monitor(Duration.ofMillis(250), null);
        monitor.probeAllOnce();
        fc.masterNode.markUp(); // say the master comes back for the application's pool
        fc.masterNode.health = Health.UP;
        Connection c = fc.connect();
        try {
            FakeCluster.update(c, "UPDATE t SET v = 1");
        } catch (SQLException e) {
        }
        assertThat(fc.cluster.master).as("a replica of the (silent) master must not become the master").isSameAs(fc.masterNode);
    }

    /** A planned switchover with heartbeats on: the read-only old master refuses the heartbeat (1290). */
    @Test
    void heartbeatsResumeOnTheNewMaster_afterASwitchover() throws Exception {
        fc = new FakeCluster();
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, true, 1);
        MonitorFakes.Server r2 = new MonitorFakes.Server(3, true, 1);
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        MonitorFakes.SERVERS.put("oslo-2", r2);
        monitor = monitor(Duration.ofMillis(20), Duration.ofMillis(20));
        monitor.probeAllOnce();
        monitor.start();
        Thread.sleep(300);
        long before = master.count("REPLACE INTO");
        // switchover: old master read-only, oslo-1 promoted, the others re-pointed to it
        master.readOnly = true;
        Thread.sleep(200);
        r1.sourceId = -1;
        r1.readOnly = false;
        r2.sourceId = 2;
        master.sourceId = 2;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (fc.cluster.master != fc.replicaNode(1) && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        Thread.sleep(500);
        long onNew = r1.count("REPLACE INTO");
        assertThat(fc.cluster.master).isSameAs(fc.replicaNode(1));
        assertThat(onNew).as("heartbeats resume on the new master").isGreaterThan(0);
    }

    /** The old master's probe is in flight when a promotion is followed: it ends judging the demoted node UP. */
    @Test
    void aMasterProbeInFlightDuringAFollow_doesNotCallTheDemotedNodeUp() throws Exception {
        fc = new FakeCluster();
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, true, 1);
        MonitorFakes.Server r2 = new MonitorFakes.Server(3, true, 1);
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        MonitorFakes.SERVERS.put("oslo-2", r2);
        monitor = monitor(Duration.ofMillis(250), null);
        monitor.probeAllOnce();
        assertThat(fc.cluster.master).isSameAs(fc.masterNode);
        // the old master's next probe has just sent its position query when the switchover lands
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        master.release = release;
        master.entered = entered;
        Runnable masterProbe = probe(fc.masterNode);
        Thread t = new Thread(masterProbe, "old-master-probe");
        t.start();
        assertThat(entered.await(2, TimeUnit.SECONDS)).isTrue();
        // the switchover lands and is followed while that probe is still out
        master.readOnly = true;
        fc.cluster.follow(fc.replicaNode(1));
        release.countDown();
        t.join(2000);
        fc.replicaNode(2).health = Health.LAGGING; // the old master would come first in IN_ORDER
        Connection c = fc.connect();
        c.setReadOnly(true);
        FakeCluster.query(c, "SELECT v FROM t");
        assertThat(fc.ran()).as("the read went to the master, not to the demoted node").last().asString().startsWith("oslo-1:");
        assertThat(fc.masterNode.role).isEqualTo(NodeRole.REPLICA);
        assertThat(fc.masterNode.health).as("demoted, not yet seen replicating").isNotEqualTo(Health.UP);
    }

    Runnable probe(Node node) throws Exception {
        Class<?> probe = Class.forName("io.lagwise.jdbc.ReplicaMonitor$Probe");
        java.lang.reflect.Constructor<?> k = probe.getDeclaredConstructor(ReplicaMonitor.class, Node.class);
        k.setAccessible(true);
        return (Runnable) k.newInstance(monitor, node);
    }

    /** Active/passive master-master: the master also replicates from the (read-only) passive one. */
    @Test
    void anActivePassiveMasterMasterPair_takesWritesOnTheWritableOne() throws SQLException {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.SERVERS.put("master", new MonitorFakes.Server(1, false, 2));
        MonitorFakes.SERVERS.put("oslo-1", new MonitorFakes.Server(2, true, 1));
        monitor = monitor(Duration.ofMillis(250), null);
        monitor.probeAllOnce();
        Connection c = fc.connect();
        try {
            FakeCluster.update(c, "UPDATE t SET v = 1");
        } catch (SQLException e) {
        }
        assertThat(fc.cluster.writesRefused).isNull();
    }

    /** Split brain: app writes are refused, but the monitor keeps writing its heartbeat to one of the two. */
    @Test
    void duringASplitBrain_theMonitorWritesNoHeartbeatEither() throws Exception {
        fc = new FakeCluster(1, ReadFallback.MASTER, Duration.ofMillis(50));
        MonitorFakes.Server master = new MonitorFakes.Server(1, false, -1);
        MonitorFakes.Server r1 = new MonitorFakes.Server(2, true, 1);
        MonitorFakes.SERVERS.put("master", master);
        MonitorFakes.SERVERS.put("oslo-1", r1);
        monitor = monitor(Duration.ofMillis(20), Duration.ofMillis(20));
        monitor.probeAllOnce();
        monitor.start();
        Thread.sleep(200);
        r1.sourceId = -1;
        r1.readOnly = false; // promoted while the old master still takes writes
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (fc.cluster.writesRefused == null && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        long before = master.count("REPLACE INTO");
        Thread.sleep(500);
        long after = master.count("REPLACE INTO");
        assertThat(after - before).isZero();
    }
}
