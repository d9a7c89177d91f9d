package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.ClusterSnapshot;
import io.lagwise.core.Health;
import io.lagwise.core.LagSource;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.LagSamples;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import io.lagwise.testkit.VisibleLagMeter;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The replica monitor on a real topology: oslo (near) and frankfurt (20 ms away), 40 ms replication
 * delay. Health, lag and nearness decide where reads go, within the promised times.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class MonitorTest {

    static LagwiseDataSource dataSource(ReplicationTopology topology, JdbcDriver driver,
            java.util.function.Consumer<LagwiseDataSource.Builder> more) throws SQLException {
        return Routed.dataSource(topology, driver, b -> {
            b.monitorInterval(Duration.ofMillis(100)).probeTimeout(Duration.ofMillis(500));
            more.accept(b);
        });
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void heartbeatLag_isWithin15msOfTheLagTheTestSees_whileSecondsBehindMasterSays0(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> b.heartbeat(Duration.ofMillis(200)));
                VisibleLagMeter meter = VisibleLagMeter.start(topology)) {
            List<Long> heartbeat = new ArrayList<>();
            List<Long> timeline = new ArrayList<>();
            List<Long> secondsBehind = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                meter.write();
                Thread.sleep(50);
                NodeSnapshot oslo = node(ds.cluster(), topology.node("oslo"));
                oslo.heartbeatLag().ifPresent(lag -> heartbeat.add(lag.toNanos()));
                oslo.timelineLag().ifPresent(lag -> timeline.add(lag.toNanos()));
                oslo.secondsBehindMaster().ifPresent(secondsBehind::add);
            }
            meter.awaitVisible(Duration.ofSeconds(5));
            LagSamples seen = meter.samples("oslo");
            double heartbeatMedian = medianMillis(heartbeat);
            double timelineMedian = medianMillis(timeline);
            double seenMedian = seen.percentile(0.5).toNanos() / 1e6;
            secondsBehind.sort(null);
            System.out.printf("%s on %s: heartbeat lag median %.1f ms (n=%d), GTID timeline lag median %.1f ms (n=%d),"
                    + " observed visible lag median %.1f ms (n=%d), Seconds_Behind_Master %s%n", driver,
                    topology.serverDescription(), heartbeatMedian, heartbeat.size(), timelineMedian, timeline.size(),
                    seenMedian, seen.count(), secondsBehind);
            assertThat(heartbeat).hasSizeGreaterThan(10);
            assertThat(timeline).hasSizeGreaterThan(10);
            assertThat(heartbeatMedian).as("heartbeat lag (ms) vs the lag the test observed (%.1f ms)", seenMedian)
                    .isCloseTo(seenMedian, org.assertj.core.data.Offset.offset(15.0));
            assertThat(secondsBehind).hasSizeGreaterThan(10);
            assertThat(secondsBehind.get(secondsBehind.size() / 2)).as("Seconds_Behind_Master cannot see 40 ms").isZero();
            // MySQL takes it from whole-second commit timestamps: 40 ms reads 1 when a second boundary falls
            // between the commit and its apply, so there it says 0 or, now and then, 1; MariaDB says 0
            assertThat(secondsBehind.get(secondsBehind.size() - 1)).as("Seconds_Behind_Master, at most")
                    .isLessThanOrEqualTo(Routed.mysql(topology) ? 1L : 0L);
            NodeSnapshot oslo = node(ds.cluster(), topology.node("oslo"));
            assertThat(oslo.lagSource()).contains(LagSource.HEARTBEAT);
        }
    }

    /**
     * The GTID timeline's resolution is the monitor interval (it knows when the master reached a
     * position only when it asks), and it measures the age of a replica's oldest unapplied
     * transaction: under a steady stream of writes that is the replication delay. So this test asks
     * the master every 10 ms and keeps writing every 2 ms, as a busy application would.
     */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void timelineLag_underSteadyWrites_isWithin15msOfTheLagTheTestSees(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS steady_writes (id INT PRIMARY KEY, v BIGINT)");
            s.execute("REPLACE INTO steady_writes VALUES (1, 0)");
        }
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
                while (writing.get()) {
                    s.executeUpdate("UPDATE steady_writes SET v = v + 1 WHERE id = 1");
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "steady-writer");
        writer.start();
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> b.monitorInterval(Duration.ofMillis(10)));
                VisibleLagMeter meter = VisibleLagMeter.start(topology)) {
            Thread.sleep(300);
            List<Long> timeline = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                meter.write();
                Thread.sleep(50);
                node(ds.cluster(), topology.node("oslo")).timelineLag().ifPresent(lag -> timeline.add(lag.toNanos()));
            }
            meter.awaitVisible(Duration.ofSeconds(5));
            double timelineMedian = medianMillis(timeline);
            double seenMedian = meter.samples("oslo").percentile(0.5).toNanos() / 1e6;
            System.out.printf("%s on %s: GTID timeline lag median %.1f ms (n=%d), observed visible lag median %.1f ms%n",
                    driver, topology.serverDescription(), timelineMedian, timeline.size(), seenMedian);
            assertThat(timeline).hasSizeGreaterThan(10);
            assertThat(timelineMedian).as("GTID timeline lag (ms) vs the lag the test observed (%.1f ms)", seenMedian)
                    .isCloseTo(seenMedian, org.assertj.core.data.Offset.offset(15.0));
        } finally {
            writing.set(false);
            writer.join(5000);
        }
    }

    private static double medianMillis(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        nanos.sort(null);
        return nanos.get(nanos.size() / 2) / 1e6;
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void stoppedSqlThread_getsNoReadsWithin2s_andGetsThemBackWithin2s(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> { })) {
            assertThat(readFrom(ds)).isEqualTo(RoutingTest.OSLO);
            TopologyNode oslo = topology.node("oslo");
            oslo.stopSqlThread();
            long stopped = System.nanoTime();
            awaitTrue(() -> readFrom(ds) == RoutingTest.FRANKFURT, Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(2));
            assertThat(node(ds.cluster(), oslo).health()).isEqualTo(Health.REPLICATION_STOPPED);
            assertThat(node(ds.cluster(), oslo).secondsBehindMaster()).isEmpty();
            oslo.startSqlThread();
            awaitTrue(() -> readFrom(ds) == RoutingTest.OSLO, Duration.ofSeconds(2));
            assertThat(node(ds.cluster(), oslo).health()).isEqualTo(Health.UP);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void killedReplica_noReadFails(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        List<Health> events = new CopyOnWriteArrayList<>();
        try (LagwiseDataSource ds = dataSource(topology, driver,
                b -> b.listener((n, previous) -> events.add(n.health())))) {
            assertThat(readFrom(ds)).isEqualTo(RoutingTest.OSLO);
            topology.node("oslo").kill();
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int reads = 0;
            while (System.nanoTime() < end) {
                assertThat(readFrom(ds)).isIn(RoutingTest.FRANKFURT, RoutingTest.OSLO);
                reads++;
            }
            assertThat(reads).isPositive();
            assertThat(readFrom(ds)).isEqualTo(RoutingTest.FRANKFURT);
            assertThat(node(ds.cluster(), topology.node("oslo")).health()).isEqualTo(Health.DOWN);
            assertThat(events).contains(Health.DOWN);
            topology.node("oslo").restart();
            awaitTrue(() -> readFrom(ds) == RoutingTest.OSLO, Duration.ofSeconds(10));
            assertThat(events).endsWith(Health.UP);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void frozenReplica_holdsNoThreadLongerThanTheTimeout_andReadsGoOn(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> b.replicaReadTimeout(Duration.ofMillis(800)))) {
            assertThat(readFrom(ds)).isEqualTo(RoutingTest.OSLO);
            topology.node("oslo").freeze();
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            long longest = 0;
            while (System.nanoTime() < end) {
                long begin = System.nanoTime();
                assertThat(readFrom(ds)).isEqualTo(RoutingTest.FRANKFURT);
                longest = Math.max(longest, System.nanoTime() - begin);
            }
            assertThat(Duration.ofNanos(longest)).as("longest read while oslo is frozen")
                    .isLessThan(Duration.ofMillis(800 + 500));
            assertThat(node(ds.cluster(), topology.node("oslo")).health()).isEqualTo(Health.DOWN);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void regions_osloFirst_frankfurtWhenOsloIsDownOrLagging_masterWhenBothAre(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> b.maxReplicationLag(Duration.ofMillis(500)));
                Connection writer = topology.master().connect(); Statement w = writer.createStatement()) {
            w.execute("CREATE TABLE IF NOT EXISTS monitor_tick (id INT PRIMARY KEY, n BIGINT)");
            assertThat(readFrom(ds)).isEqualTo(RoutingTest.OSLO);
            TopologyNode oslo = topology.node("oslo");
            oslo.replicationDelay(Duration.ofMillis(1500));
            awaitTrue(() -> {
                w.executeUpdate("REPLACE INTO monitor_tick VALUES (1, " + System.nanoTime() + ")");
                return readFrom(ds) == RoutingTest.FRANKFURT;
            }, Duration.ofSeconds(5));
            assertThat(node(ds.cluster(), oslo).health()).isEqualTo(Health.LAGGING);
            assertThat(node(ds.cluster(), oslo).lag()).hasValueSatisfying(
                    lag -> assertThat(lag).isGreaterThan(Duration.ofMillis(500)));
            topology.node("frankfurt").kill();
            awaitTrue(() -> readFrom(ds) == RoutingTest.MASTER, Duration.ofSeconds(3));
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void snapshot_showsEveryNodeWithRealFigures(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> { })) {
            readFrom(ds);
            Thread.sleep(400);
            ClusterSnapshot s = ds.cluster();
            assertThat(s.name()).isEqualTo("test-" + driver.name().toLowerCase());
            assertThat(s.master().role()).isEqualTo(io.lagwise.core.NodeRole.MASTER);
            assertThat(s.master().gtidPosition()).as("the master's GTID position in its server's own form")
                    .matches(Routed.mysql(topology) ? "[0-9a-f-]{36}:1-\\d+" : "0-1-\\d+");
            NodeSnapshot oslo = node(s, topology.node("oslo"));
            NodeSnapshot frankfurt = node(s, topology.node("frankfurt"));
            assertThat(oslo.region()).isEqualTo("oslo");
            assertThat(oslo.health()).isEqualTo(Health.UP);
            assertThat(oslo.lagSource()).contains(LagSource.GTID_TIMELINE);
            assertThat(oslo.secondsBehindMaster()).hasValue(0);
            assertThat(oslo.lagAge()).isLessThan(Duration.ofSeconds(1));
            assertThat(oslo.roundTrip()).hasValueSatisfying(r -> assertThat(r).isLessThan(Duration.ofMillis(10)));
            assertThat(frankfurt.roundTrip()).hasValueSatisfying(r -> assertThat(r).isGreaterThan(Duration.ofMillis(35)));
            assertThat(oslo.statementsServed()).isPositive();
            assertThat(oslo.poolTotal()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void heartbeatWithoutPrivilege_warnsOnce_andTheOtherSourcesCarryOn(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (Connection admin = topology.master().connectAdmin(); Statement s = admin.createStatement()) {
            s.execute("CREATE USER IF NOT EXISTS 'lw_monitor'@'%' IDENTIFIED BY 'mon-Pw-1'");
            s.execute("GRANT SELECT ON `" + topology.database() + "`.* TO 'lw_monitor'@'%'");
            // the privilege that lets a user read replica status and binlog positions has other names on MySQL
            s.execute(Routed.mysql(topology) ? "GRANT REPLICATION CLIENT ON *.* TO 'lw_monitor'@'%'"
                    : "GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO 'lw_monitor'@'%'");
        }
        topology.awaitReplication(Duration.ofSeconds(5));
        java.io.ByteArrayOutputStream logs = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(logs, true, java.nio.charset.StandardCharsets.UTF_8));
        try (LagwiseDataSource ds = dataSource(topology, driver, b -> b.heartbeat(Duration.ofMillis(200))
                .monitorCredentials("lw_monitor", "mon-Pw-1"))) {
            Thread.sleep(1500);
            NodeSnapshot oslo = node(ds.cluster(), topology.node("oslo"));
            assertThat(oslo.health()).isEqualTo(Health.UP);
            assertThat(oslo.heartbeatLag()).isEmpty();
            assertThat(oslo.lagSource()).contains(LagSource.GTID_TIMELINE);
            assertThat(readFrom(ds)).isEqualTo(RoutingTest.OSLO);
        } finally {
            System.setErr(err);
        }
        String printed = logs.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(printed.split("heartbeats are off", -1)).as("one warning").hasSize(2);
        assertThat(printed).doesNotContain("mon-Pw-1");
    }

    static int readFrom(LagwiseDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return Routed.serverId(c);
        }
    }

    static NodeSnapshot node(ClusterSnapshot snapshot, TopologyNode node) {
        return snapshot.node(node.host() + ":" + node.port());
    }

    @FunctionalInterface
    interface Check {
        boolean test() throws Exception;
    }

    static void awaitTrue(Check check, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.test()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
