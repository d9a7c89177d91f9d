package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The application in the burst region: the master 20 ms away each way, the region's own replica
 * ("frankfurt") next door, the other ("oslo") as far as the master, replication 40 ms behind. The
 * read after a write costs a master round trip (40 ms) there, but the local replica shows the write
 * about 20 ms after its reply came back: with default settings the read waits briefly on the local
 * replica instead, and is never stale. (Next to the master, the same code reads the master at once:
 * {@link RoutingStatsTest}.)
 */
@WithReplicationTopology(masterClientDelayMillis = 20, replicationDelayMillis = 40,
        replicas = {@Replica(region = "frankfurt"), @Replica(region = "oslo", clientDelayMillis = 20)})
class FarMasterReadYourWritesTest {

    @BeforeAll
    static void createTable(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS far_ryw (id INT PRIMARY KEY, v INT)");
            s.execute("REPLACE INTO far_ryw VALUES (1, 0), (2, 0)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aFarMaster_isSkippedForABriefWaitOnTheLocalReplica(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        int row = driver.ordinal() + 1;
        int[] ids = {topology.node("frankfurt").serverId(), topology.master().serverId()};
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.localRegion("frankfurt"))) {
            awaitRoundTrips(ds);
            // Warm up: connections, and the replica's apply delay as seen from here. A wait that timed out
            // while the machine was busy (a lag spike) leaves an estimate that sends reads after writes to
            // the master until it fades (it halves every 5 s): the steady state is what is measured.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int value = 1;
            while (run(ds, ids, row, value, 5)[0] < 5 && System.nanoTime() < deadline) {
                value += 5;
            }
            RoutingStats before = ds.routingStats();
            int rounds = 30;
            int[] where = run(ds, ids, row, 100_000, rounds);
            RoutingStats after = ds.routingStats();
            long cheaper = after.routed(RouteReason.MASTER_CHEAPER) - before.routed(RouteReason.MASTER_CHEAPER);
            System.out.printf("%s, far master: %d of %d reads after a write on the local replica, %d on the master"
                    + " (%d as cheaper), read after write p50 %.1f ms%n", driver, where[0], rounds, where[1], cheaper,
                    where[2] / 1000.0);
            assertThat(where[0]).as("reads after a write served by the local replica").isGreaterThanOrEqualTo(rounds - 3);
            assertThat(cheaper).as("reads sent to the far master as cheaper").isLessThanOrEqualTo(3);
        }
    }

    /** The monitor has timed the master and the local replica. */
    private static void awaitRoundTrips(LagwiseDataSource ds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && ds.cluster().nodes().stream()
                .anyMatch(n -> n.roundTrip().isEmpty() || n.lag().isEmpty() && n.role() == io.lagwise.core.NodeRole.REPLICA)) {
            Thread.sleep(20);
        }
    }

    /** {@code rounds} writes each read back at once; ids = {local replica, master}; returns {local-replica reads, master reads, median read µs}. */
    private static int[] run(LagwiseDataSource ds, int[] ids, int row, int first, int rounds) throws SQLException {
        int onLocal = 0;
        int onMaster = 0;
        long[] micros = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            int value = first + i;
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE far_ryw SET v = " + value + " WHERE id = " + row);
                long begin = System.nanoTime();
                try (ResultSet rs = s.executeQuery("SELECT v, @@server_id FROM far_ryw WHERE id = " + row)) {
                    rs.next();
                    micros[i] = (System.nanoTime() - begin) / 1000;
                    assertThat(rs.getInt(1)).as("read-your-writes, round %d", i).isEqualTo(value);
                    int server = rs.getInt(2);
                    if (server == ids[1]) {
                        onMaster++;
                    } else if (server == ids[0]) {
                        onLocal++;
                    }
                }
            }
        }
        java.util.Arrays.sort(micros);
        return new int[] {onLocal, onMaster, (int) micros[rounds / 2]};
    }
}
