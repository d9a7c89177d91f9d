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
            long sbmMax = 0;
            for (int i = 0; i < 60; i++) {
                meter.write();
                Thread.sleep(50);
                NodeSnapshot oslo = node(ds.cluster(), topology.node("oslo"));
                if (oslo.heartbeatLag().isPresent()) {
                    heartbeat.add(oslo.heartbeatLag().get().toNanos());
                }
                sbmMax = Math.max(sbmMax, oslo.secondsBehindMaster().orElse(0));
            }
            meter.awaitVisible(Duration.ofSeconds(5));
            LagSamples seen = meter.samples("oslo");
            heartbeat.sort(null);
            double heartbeatMedian = heartbeat.get(heartbeat.size() / 2) / 1e6;
            double seenMedian = seen.percentile(0.5).toNanos() / 1e6;
            System.out.printf("%s: heartbeat lag median %.1f ms (n=%d), observed visible lag median %.1f ms (n=%d)%n",
                    driver, heartbeatMedian, heartbeat.size(), seenMedian, seen.count());
            assertThat(heartbeat).hasSizeGreaterThan(10);
            assertThat(heartbeatMedian).as("heartbeat lag (ms) vs the lag the test observed (%.1f ms)", seenMedian)
                    .isCloseTo(seenMedian, org.assertj.core.data.Offset.offset(15.0));
            assertThat(sbmMax).as("Seconds_Behind_Master cannot see 40 ms").isZero();
            NodeSnapshot oslo = node(ds.cluster(), topology.node("oslo"));
            assertThat(oslo.lagSource()).contains(LagSource.HEARTBEAT);
            assertThat(oslo.timelineLag()).isPresent();
        }
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
            assertThat(s.master().gtidPosition()).matches("0-1-\\d+");
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
            s.execute("GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO 'lw_monitor'@'%'");
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
