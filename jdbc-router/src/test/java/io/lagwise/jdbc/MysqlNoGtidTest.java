package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Consistency;
import io.lagwise.core.LagSource;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.LagSamples;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.VisibleLagMeter;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lagwise on MySQL servers without GTIDs ({@code gtid_mode=OFF}, replication by binary-log file and
 * position, as MySQL 5.6 ran it), both drivers: the master is found to have no GTIDs, read-your-writes
 * works by time (PIN) after one WARN, the GTID timeline is not taken for lag (it would say 0), the
 * heartbeat is polled on the replicas' row and agrees with the lag the test sees, and a write is
 * never read stale.
 */
@WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, gtids = false, replicationDelayMillis = 40,
        replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)})
class MysqlNoGtidTest {

    static final int MASTER = 1;

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS nogtid (id BIGINT PRIMARY KEY, v BIGINT)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aMasterWithoutGtids_isFoundAtStart_withOneWarning_andReadYourWritesPins(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            assertThat(ds.router().master.writesGtids).isFalse();
            assertThat(ds.router().mode()).isEqualTo(ReadYourWritesMode.PIN);
            MysqlServerTest.awaitReplicasUp(ds);
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).as("a plain read: the local replica").isEqualTo(2);
                assertThat(Routed.serverId(c, "SELECT @@server_id FROM DUAL FOR UPDATE")).isEqualTo(MASTER);
            }
            Thread.sleep(600); // a few monitor rounds: still one warning
            NodeSnapshot oslo = ds.cluster().replicas().get(0);
            assertThat(oslo.lagSource()).as("no GTID timeline without GTIDs").contains(LagSource.SECONDS_BEHIND_MASTER);
            assertThat(oslo.timelineLag()).isEmpty();
        } finally {
            System.setErr(err);
        }
        String printed = logs.toString(StandardCharsets.UTF_8);
        assertThat(printed.split("gives transactions no GTIDs", -1)).as("one warning:\n%s", printed).hasSize(2);
        assertThat(printed).doesNotContain(topology.password());
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void heartbeatLag_polledOnTheReplicas_isWithin15msOfTheLagTheTestSees(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.heartbeat(Duration.ofMillis(200))
                .monitorInterval(Duration.ofMillis(100)));
                VisibleLagMeter meter = VisibleLagMeter.start(topology)) {
            MysqlServerTest.awaitReplicasUp(ds);
            List<Long> heartbeat = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                meter.write();
                Thread.sleep(50);
                ds.cluster().replicas().get(0).heartbeatLag().ifPresent(lag -> heartbeat.add(lag.toNanos()));
            }
            meter.awaitVisible(Duration.ofSeconds(5));
            LagSamples seen = meter.samples("oslo");
            heartbeat.sort(null);
            double heartbeatMedian = heartbeat.get(heartbeat.size() / 2) / 1e6;
            double seenMedian = seen.percentile(0.5).toNanos() / 1e6;
            System.out.printf("no GTIDs, %s: heartbeat lag median %.1f ms (n=%d), observed visible lag median %.1f ms%n",
                    driver, heartbeatMedian, heartbeat.size(), seenMedian);
            assertThat(heartbeat).hasSizeGreaterThan(10);
            assertThat(heartbeatMedian).as("heartbeat lag (ms) vs the lag the test observed (%.1f ms)", seenMedian)
                    .isCloseTo(seenMedian, org.assertj.core.data.Offset.offset(15.0));
            assertThat(ds.cluster().replicas().get(0).lagSource()).contains(LagSource.HEARTBEAT);
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void readYourWrites_withoutGtids_hasNoStaleRead_whileEventualHas(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        long[] pin;
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.heartbeat(Duration.ofMillis(200))
                .pool(p -> p.maximumPoolSize(10)))) {
            MysqlServerTest.awaitReplicasUp(ds);
            Thread.sleep(1000); // heartbeat lag measured: the pin window follows it
            pin = rounds(ds, driver.ordinal() * 100L);
            System.out.printf("no GTIDs, %s: pin window %.1f ms%n", driver, ds.router().pinWindow.nanos() / 1e6);
        }
        long[] eventual;
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.consistency(Consistency.EVENTUAL)
                .pool(p -> p.maximumPoolSize(10)))) {
            MysqlServerTest.awaitReplicasUp(ds);
            eventual = rounds(ds, driver.ordinal() * 100L + 50);
        }
        System.out.printf("no GTIDs, %s: 8 sessions x 40 write->read rounds: PIN %d stale, %d of %d reads on replicas;"
                + " EVENTUAL %d stale%n", driver, pin[0], pin[1], pin[2], eventual[0]);
        assertThat(pin[0]).as("stale reads with read-your-writes (PIN)").isZero();
        assertThat(pin[1]).as("reads after the pin window go to replicas").isPositive();
        assertThat(eventual[0]).as("EVENTUAL reads are stale: the test can fail").isPositive();
    }

    /** 8 sessions, each updating its own row and reading it back: {stale, reads on replicas, reads}. */
    private static long[] rounds(LagwiseDataSource ds, long firstId) throws Exception {
        int sessions = 8;
        int rounds = 40;
        AtomicLong stale = new AtomicLong();
        AtomicLong onReplicas = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < sessions; t++) {
                long id = firstId + t;
                done.add(pool.submit(() -> {
                    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                        s.executeUpdate("REPLACE INTO nogtid VALUES (" + id + ", 0)");
                    }
                    for (int round = 1; round <= rounds; round++) {
                        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE nogtid SET v = ? WHERE id = ?")) {
                            ps.setLong(1, round);
                            ps.setLong(2, id);
                            ps.executeUpdate();
                        }
                        Thread.sleep(round % 8 * 50); // 0 to 350 ms: reads inside the pin window and after it
                        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT v, @@server_id FROM nogtid WHERE id = ?")) {
                            ps.setLong(1, id);
                            try (ResultSet rs = ps.executeQuery()) {
                                if (!rs.next() || rs.getLong(1) < round) {
                                    stale.incrementAndGet();
                                } else if (rs.getInt(2) != MASTER) {
                                    onReplicas.incrementAndGet();
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new long[] {stale.get(), onReplicas.get(), (long) sessions * rounds};
    }
}
