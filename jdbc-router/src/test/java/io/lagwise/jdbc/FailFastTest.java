package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
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
 * Failure in milliseconds, with default settings (probe timeout 1 s, replica read timeout 30 s, pool
 * connection timeout 3 s): a read caught on a replica that froze is aborted and run elsewhere within
 * the probe timeout and a second; the first write after the master is killed fails within a second,
 * and later ones at once.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class FailFastTest {

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    @BeforeAll
    static void schema(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS fast (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aReadCaughtOnAReplicaThatFroze_isAbortedAndRunElsewhere_withinProbeTimeoutPlusASecond(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        TopologyNode oslo = topology.node("oslo");
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            assertThat(serverId(s)).isEqualTo(oslo.serverId()); // the connection holds oslo
            oslo.freeze();
            long begin = System.nanoTime();
            int answeredBy = serverId(s); // sent to oslo, which never answers: aborted, then run on frankfurt
            Duration blocked = Duration.ofNanos(System.nanoTime() - begin);
            System.out.printf("%s: a read caught on a frozen replica answered by another after %d ms%n", driver, blocked.toMillis());
            assertThat(answeredBy).isEqualTo(topology.node("frankfurt").serverId());
            assertThat(blocked).as("blocked at most probeTimeout + 1 s").isLessThan(PROBE_TIMEOUT.plusSeconds(1));
        } finally {
            oslo.thaw();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void theFirstWriteAfterTheMasterIsKilled_failsWithinASecond_laterOnesAtOnce(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        TopologyNode master = topology.master();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            write(ds, "warm"); // a pooled master connection, as a running application has
            Thread.sleep(600); // idle past HikariCP's 500 ms: the pool checks it before handing it out
            master.kill();
            long begin = System.nanoTime();
            SQLException first = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> write(ds, "lost"));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            System.out.printf("%s: the first write after the master was killed failed after %d ms: %s%n", driver, took.toMillis(), first.getMessage());
            assertThat(took).as("the first write fails within a second: %s", first.getMessage()).isLessThan(Duration.ofSeconds(1));
            assertThat(first.getMessage()).contains("127.0.0.1:" + master.port()).doesNotContain(topology.password());
            // once the master is known down, every write fails at once, naming it
            long knownDownBy = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int fast = 0;
            Duration slowest = Duration.ZERO;
            while (fast < 10 && System.nanoTime() - knownDownBy < 0) {
                long t = System.nanoTime();
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> write(ds, "lost"));
                assertThat(e.getMessage()).contains("127.0.0.1:" + master.port());
                if (e.getMessage().contains(" is down")) {
                    Duration one = Duration.ofNanos(System.nanoTime() - t);
                    slowest = one.compareTo(slowest) > 0 ? one : slowest;
                    assertThat(one).as("a known-down master fails at once").isLessThan(Duration.ofMillis(50));
                    fast++;
                }
            }
            assertThat(fast).isEqualTo(10);
            System.out.printf("%s: the next 10 writes failed in at most %.2f ms each%n", driver, slowest.toNanos() / 1e6);
        }
    }

    static int serverId(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void write(LagwiseDataSource ds, String v) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO fast (v) VALUES ('" + v + "')");
        }
    }
}
